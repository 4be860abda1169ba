"""Read and write tables as JSON, CSV or Parquet, chosen by the file extension."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from wujie.stores.errors import EventsInvalid, UnsupportedFormat

SUFFIXES = (".parquet", ".csv", ".json", ".jsonl", ".ndjson")


def read_table(path: Path) -> pl.DataFrame:
    """Read ``path`` into a frame.

    JSON may be an array of objects or one object per line.

    Raises
    ------
    UnsupportedFormat
        For any other extension.
    EventsInvalid
        When the file cannot be parsed.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema_length=10_000)
        if suffix in (".jsonl", ".ndjson"):
            return pl.read_ndjson(path)
        if suffix == ".json":
            return _read_json(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise EventsInvalid(f"{path}: cannot be read ({exc})", path=str(path)) from exc
    raise UnsupportedFormat(str(path))


def _read_json(path: Path) -> pl.DataFrame:
    text = path.read_text(encoding="utf-8").lstrip()
    if text.startswith("["):
        rows = json.loads(text)
        return pl.DataFrame(rows) if rows else pl.DataFrame()
    return pl.read_ndjson(path)


def write_table(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` in the format its extension names (JSON is one object per line)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".csv":
        frame.write_csv(path)
    elif suffix in (".json", ".jsonl", ".ndjson"):
        frame.write_ndjson(path)
    else:
        raise UnsupportedFormat(str(path))


def find_table(directory: Path, stem: str) -> Path | None:
    """Return ``directory/stem`` with the first supported extension that exists, or ``None``."""
    for suffix in SUFFIXES:
        candidate = directory / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None
