"""The payments area."""
