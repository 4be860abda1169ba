"""The entrypoints cli package."""
