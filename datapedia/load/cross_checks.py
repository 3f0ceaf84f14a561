"""The checks across files: unique ids, file names and folders that match, related ids
that exist, keys that go only where ``config/geheimen.yml`` allows.

They run in the loading process on every load, cached fiches included, pointing at the
places each file recorded when it was parsed.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from datapedia.load.geheimen import SecretHosts, refusal
from datapedia.load.parsed import FICHE_SUFFIXES, Parsed, relative
from datapedia.load.unique import Claim, blame


def cross_checks(parsed: list[Parsed], root: Path | None, secrets: SecretHosts | None) -> None:
    """Every problem between the files of ``parsed``, added to each file it is about.

    Ids are unique across the repository even when only some files are validated:
    a fiche not read here counts with its file name as id (that they match is
    checked whenever it is read); a duplicate found in such a file adds it to ``parsed``.
    """
    repository: list[Path] = []
    if root is not None and (root / "fiches").is_dir():
        repository = [f for f in (root / "fiches").rglob("*") if f.suffix in FICHE_SUFFIXES]
    known = {f.stem for f in repository}
    parsed += _check_unique_ids(parsed, repository, root, known)
    for item in parsed:
        if item.data is None:
            continue
        if secrets is not None:
            _check_secret_hosts(item, secrets)
        _check_names(item)
        _check_related(item, known)


def _check_unique_ids(
    parsed: list[Parsed], repository: list[Path], root: Path | None, known: set[str]
) -> list[Parsed]:
    """Blame duplicate ids (adding the read ones to ``known``); the files not asked for
    that a duplicate was found in, to be reported too."""
    claims: dict[Claim, Parsed] = {}
    for item in parsed:
        fiche_id = item.data.get("id") if item.data else None
        if isinstance(fiche_id, str):
            known.add(fiche_id)
            claims[Claim(fiche_id, Path(os.path.abspath(item.path)), item.shown)] = item
    read = {Path(os.path.abspath(item.path)) for item in parsed}
    unread: set[Claim] = set()
    for file in repository:
        if (absolute := Path(os.path.abspath(file))) not in read:
            claim = Claim(file.stem, absolute, relative(file, root) or file)
            claims[claim] = Parsed(file, claim.shown)
            unread.add(claim)
    blamed_unread: list[Parsed] = []
    for found in blame(list(claims)):
        item = claims[found.claim]
        if found.claim in unread:  # a file not asked for: its id line, without parsing it
            item.add(_id_line(item.path), 1, "id", found.message)
            blamed_unread.append(item)
        else:
            item.add(*item.places[("id",)], "id", found.message)
    return blamed_unread


def _check_secret_hosts(item: Parsed, secrets: SecretHosts) -> None:
    """A key goes only where the maintainers' file allows (``datapedia.load.geheimen``)."""
    if item.fiche is None:
        return
    for i, distribution in enumerate(item.fiche.distributions):
        name = distribution.auth.env
        why = refusal(name, str(distribution.url), secrets) if name else None
        if why is not None:
            loc = ("distributions", i, "auth", "env")
            item.add(*item.places.get(loc, (1, 1)), f"distributions[{i}].auth.env", why)


def _check_names(item: Parsed) -> None:
    """The file is named after the id and lies in the folder of its theme."""
    assert item.data is not None
    fiche_id, theme = item.data.get("id"), item.data.get("theme")
    if isinstance(fiche_id, str) and item.path.stem != fiche_id:
        item.add(
            *item.places[("id",)],
            "id",
            f"id '{fiche_id}' verschilt van de bestandsnaam '{item.path.name}'; "
            f"noem het bestand {fiche_id}{item.path.suffix}",
        )
    folder = item.path.parent
    if folder.parent.name == "fiches" and isinstance(theme, str) and folder.name != theme:
        item.add(
            *item.places[("theme",)],
            "theme",
            f"theme '{theme}' past niet bij de map '{folder.name}'; "
            f"zet het bestand in fiches/{theme}/",
        )
    elif folder.name == "fiches":
        item.add(1, 1, "-", "een fiche hoort in een themamap: fiches/<theme>/<id>.yml")


def _check_related(item: Parsed, known: set[str]) -> None:
    if item.fiche is None:
        return
    for i, related in enumerate(item.fiche.related):
        if related not in known:
            item.add(
                *item.places[("related", i)],
                f"related[{i}]",
                f"verwante fiche '{related}' bestaat niet",
            )


def _id_line(path: Path) -> int:
    """The line of ``id:`` in a fiche, 1 when there is none."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("id:"):
                return number
    return 1
