"""Prefect flows of ingest: orchestration only; the work is in the ingest package."""
