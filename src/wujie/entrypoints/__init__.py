"""The entrypoints package."""
