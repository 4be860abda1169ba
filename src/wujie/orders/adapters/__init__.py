"""Adapters of the orders area: in-memory and SQLite."""
