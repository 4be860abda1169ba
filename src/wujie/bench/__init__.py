"""Capacity and accuracy benchmarks behind `wujie bench` (each prints JSON with ratios)."""
