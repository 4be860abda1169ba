"""Adapters of the catalog area: in-memory and SQLite."""
