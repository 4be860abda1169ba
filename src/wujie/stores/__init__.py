"""The stores package."""
