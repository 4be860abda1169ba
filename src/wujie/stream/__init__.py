"""The stream package."""
