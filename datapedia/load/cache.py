"""The parse cache: fiches that passed every check of their own file before, by content.

It lives in the user's cache folder, never in the repository: a cache file committed
in a pull request would make datapedia read a fiche other than the one its reviewers read.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from datapedia.load.parsed import Parsed
from datapedia.model import distribution, fiche, protocols
from datapedia.model.fiche import FROM_CACHE, Fiche
from datapedia.util.files import atomic_write

# The model modules whose rules decide whether a fiche is valid (the load package's own
# modules are added whole): a change to any of them makes every cached entry stale.
_RULES = (fiche, distribution, protocols)


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


class FicheCache:
    """Fiches that passed every check of their own file before, by path and content.

    ``validate``, ``check`` and ``build`` each load every fiche, and the nightly job
    runs all three on the same files; validating a cached model costs a fraction of
    parsing the file again. An entry is used only for the same path, the same bytes
    (sha256) and the same loader (the source of the load package and of the model's
    rules); the model is validated again from it.
    """

    def __init__(self, path: Path):
        self.path = path
        self._changed = False
        self._entries: dict[str, dict[str, Any]] = {}
        try:
            stored = json.loads(path.read_bytes())
            if stored.get("loader") == loader_version():
                self._entries = dict(stored["fiches"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # no cache, or one from another version: parse everything

    @classmethod
    def for_root(cls, root: Path) -> FicheCache:
        key = hashlib.sha256(os.path.abspath(root).encode()).hexdigest()[:16]
        return cls(_cache_home() / "datapedia" / key / "fiches.json")

    def fill(self, parsed: Parsed, relative: Path) -> bool:
        """Complete ``parsed`` from the cache; False when there is no usable entry."""
        entry = self._entries.get(relative.as_posix())
        if not entry or entry.get("digest") != parsed.digest:
            return False
        try:
            # From JSON text: pydantic builds the model without an intermediate dict per
            # fiche, which at 10,000 fiches left the heap full of holes.
            parsed.fiche = Fiche.model_validate_json(entry["fiche"], context={FROM_CACHE: True})
            parsed.places = {tuple(loc): (line, col) for loc, line, col in entry["places"]}
        except (ValidationError, KeyError, TypeError, ValueError):
            parsed.fiche, parsed.places = None, {}
            return False
        parsed.data = {"id": parsed.fiche.id, "theme": parsed.fiche.theme.value}
        parsed.cached = True
        return True

    def put(self, parsed: Parsed) -> None:
        assert parsed.fiche is not None
        self._entries[parsed.shown.as_posix()] = {
            "digest": parsed.digest,
            "fiche": parsed.fiche.model_dump_json(),
            "places": [[list(loc), line, col] for loc, (line, col) in parsed.places.items()],
        }
        self._changed = True

    def save(self) -> None:
        if not self._changed:
            return
        document = {"loader": loader_version(), "fiches": self._entries}
        # A cache that cannot be written only costs speed next time.
        with contextlib.suppress(OSError):
            atomic_write(self.path, json.dumps(document).encode())
        self._changed = False


@functools.cache
def loader_version() -> str:
    """A hash of every source that decides what the loader accepts and reports."""
    sources = sorted(Path(__file__).parent.glob("*.py"))
    sources += [Path(module.__file__ or "") for module in _RULES]
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
