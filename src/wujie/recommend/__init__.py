"""The recommend package."""
