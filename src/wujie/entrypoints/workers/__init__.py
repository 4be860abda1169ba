"""The entrypoints workers package."""
