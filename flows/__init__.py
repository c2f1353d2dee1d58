"""Prefect flows: restore, download, beam search, upload, and the pipeline that runs them."""
