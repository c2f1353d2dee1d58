"""Prefect workers: the process worker whose flow-run processes start with their imports done."""
