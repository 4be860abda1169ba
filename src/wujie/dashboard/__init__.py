"""The dashboard package."""
