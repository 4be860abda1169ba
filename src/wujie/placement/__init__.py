"""The placement package."""
