"""Unmanned-store analytics over sensor events (cameras, shelves, RFID), grab-and-go, and a store twin.

Entry points: :func:`wujie.stores.analysis.analyze`, :func:`wujie.stores.simulation.run.run_twin`,
:func:`wujie.stores.default_layout.default_layout`. See ``docs/stores.md``.
"""
