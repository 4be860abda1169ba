"""Vendored data of the built-in default store (derived from 84.51 The Complete Journey, CC0)."""
