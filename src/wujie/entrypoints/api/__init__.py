"""The entrypoints api package."""
