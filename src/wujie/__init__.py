"""Wujie (无界, "boundless"): an open-source new-retail platform."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wujie")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
