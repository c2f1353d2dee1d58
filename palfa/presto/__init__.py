"""PRESTO as a search back-end: parsers of its products, its command lines, and the engine.

Nothing here imports Prefect: programs run through a ``Runner`` (``palfa.presto.runner``), so the
orchestration layer can pass one that streams output into its own logs.
"""
