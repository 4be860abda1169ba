"""The twin package."""
