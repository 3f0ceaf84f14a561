"""One fiche file: read (refusing links, huge and non-UTF-8 files), parsed, validated.

Everything here depends on the file alone, so it may run in a forked worker; the
checks across files (``cross_checks``) run after, in the loading process.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from datapedia.load.cache import FicheCache
from datapedia.load.fiche_checks import check_fiche
from datapedia.load.messages import locate, report_validation
from datapedia.load.parsed import Parsed, position
from datapedia.load.yaml_tree import read_tree
from datapedia.model.fiche import Fiche

MAX_FILE_BYTES = 256 * 1024
SCHEMA_RELATIVE = Path("schema") / "fiche.schema.json"
SCHEMA_COMMENT_PREFIX = "# yaml-language-server: $schema="


def read_file(
    path: Path, relative: Path | None, cache: FicheCache | None
) -> tuple[Parsed, str | None]:
    """The file read and, when the cache has it, complete; else its text still to parse."""
    parsed = Parsed(path, relative or path)
    if path.is_symlink():
        # A link could make the validator read (and echo parts of) any file on the runner.
        parsed.add(1, 1, "-", "een fiche mag geen symbolische link zijn")
        return parsed, None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        parsed.add(1, 1, "-", f"bestand is te groot ({size} bytes; hoogstens {MAX_FILE_BYTES})")
        return parsed, None
    raw = path.read_bytes()
    parsed.digest = hashlib.sha256(raw).hexdigest()
    if cache is not None and relative is not None and cache.fill(parsed, relative):
        return parsed, None
    try:
        return parsed, raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        parsed.add(line, column, "-", "bestand is geen geldige UTF-8-tekst; sla het op als UTF-8")
        return parsed, None


def parse_read(item: tuple[Parsed, str, Path | None]) -> Parsed:
    """``parse_text`` as a map function: one argument, and the result to send back."""
    parsed, text, relative = item
    parse_text(parsed, text, relative)
    return parsed


def parse_text(parsed: Parsed, text: str, relative: Path | None) -> None:
    """Every problem of the file's own text added to ``parsed``; its fiche when valid."""
    _check_schema_comment(parsed, text, relative)
    tree = read_tree(parsed, text)
    if tree is None:
        return
    node, data = tree.node, tree.data
    # The checks across fiches need only these; the whole tree would cross a pipe.
    parsed.data = {"id": data.get("id"), "theme": data.get("theme")}
    related = data.get("related")
    keyed = [
        i
        for i, d in enumerate(data.get("distributions") or [])
        if isinstance(d, dict) and isinstance(d.get("auth"), dict) and d["auth"].get("env")
    ]
    for loc in [
        ("id",),
        ("theme",),
        *(("related", i) for i in range(_length(related))),
        *(("distributions", i, "auth", "env") for i in keyed),
    ]:
        parsed.places[loc] = position(locate(node, loc)[0])
    if tree.refused_tag:
        return  # validating the stand-in value would only add noise
    try:
        parsed.fiche = Fiche.model_validate(data)
    except ValidationError as error:
        report_validation(parsed, node, error)
        return
    check_fiche(parsed, node, parsed.fiche)


def _length(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def _check_schema_comment(parsed: Parsed, text: str, relative: Path | None) -> None:
    """Line 1 tells the editor (yaml-language-server) which schema to use.

    Inside the repository the reference must lead from the file to the schema; elsewhere
    (a fiche being drafted) it must at least be a relative path to the schema file.
    """
    depth = len(relative.parent.parts) if relative is not None else 2
    expected = "../" * depth + SCHEMA_RELATIVE.as_posix()
    first = text.split("\n", 1)[0].rstrip("\r")
    hint = (
        f"de eerste regel moet '{SCHEMA_COMMENT_PREFIX}{expected}' zijn "
        "(zo kent uw editor het schema)"
    )
    if not first.startswith(SCHEMA_COMMENT_PREFIX):
        parsed.add(1, 1, "-", hint)
        return
    ref = first.removeprefix(SCHEMA_COMMENT_PREFIX).strip()
    # Outside the repository any relative path to the schema will do.
    relative_ok = "://" not in ref and not ref.startswith("/")
    fits = ref == expected if relative is not None else ref.endswith(SCHEMA_RELATIVE.as_posix())
    if not (relative_ok and fits):
        parsed.add(1, len(SCHEMA_COMMENT_PREFIX) + 1, "-", hint)
