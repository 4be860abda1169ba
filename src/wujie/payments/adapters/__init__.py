"""Adapters of the payments area: in-memory and SQLite."""
