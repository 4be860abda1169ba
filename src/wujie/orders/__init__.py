"""The orders area."""
