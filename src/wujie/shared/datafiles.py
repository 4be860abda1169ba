"""Where the real public datasets live (``../shared/data`` beside the project, read-only)."""

from __future__ import annotations

import os
from pathlib import Path

#: the data folder's place on the project's machines, used when no other candidate exists
MACHINE_DEFAULT = Path("/work/shared/data")


def shared_data_dir() -> Path:
    """Return the shared data folder.

    In order: ``$WUJIE_SHARED_DATA``; ``shared/data`` beside the project that holds the working
    directory or this installed package (a source checkout); the project machine's
    ``/work/shared/data``. The first that exists wins; if none does, the beside-the-project path
    is returned so that error messages name the conventional place.
    """
    configured = os.environ.get("WUJIE_SHARED_DATA")
    if configured:
        return Path(configured)
    candidates = [*_beside_projects(Path.cwd()), *_beside_projects(Path(__file__).resolve()), MACHINE_DEFAULT]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def _beside_projects(start: Path) -> list[Path]:
    """``<parent>/shared/data`` for every folder above ``start`` that holds a ``pyproject.toml``."""
    return [base.parent / "shared" / "data" for base in (start, *start.parents) if (base / "pyproject.toml").is_file()]
