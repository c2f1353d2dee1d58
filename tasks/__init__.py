"""Prefect tasks: thin wrappers over the domain code in ``palfa``."""
