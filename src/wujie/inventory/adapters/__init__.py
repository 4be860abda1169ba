"""Adapters of the inventory area: in-memory and SQLite."""
