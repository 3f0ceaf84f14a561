"""``.github/CODEOWNERS`` generated from the fiches: each owner reviews its own fiche.

GitHub reads CODEOWNERS from the pull request's *base* branch, so a PR that changes
an owner's handle only takes effect after it is merged; the maintainers team is on
every line so a fiche never depends on one owner alone.
"""

from __future__ import annotations

from pathlib import Path

from datapedia.load.fiches import LoadedFiche, load_repository
from datapedia.load.geheimen import SECRETS_FILE

MAINTAINERS_TEAM = "@datapedia-vlaanderen/beheerders"
CODEOWNERS_PATH = Path(".github") / "CODEOWNERS"

_HEADER = """\
# GEGENEREERD door `datapedia codeowners` uit de fiches: niet met de hand aanpassen.
# Wijzig `owner.github` in een fiche en voer `datapedia codeowners` opnieuw uit.
# De laatste regel die op een bestand past, bepaalt wie het moet nakijken.
"""


def _repo_path(loaded: LoadedFiche, root: Path) -> str:
    path = loaded.path.resolve()
    try:
        return "/" + path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return f"/fiches/{loaded.fiche.theme.value}/{loaded.fiche.id}.yml"


def render_codeowners(fiches: list[LoadedFiche], root: Path) -> str:
    """The file's text; sorted by path so the output never depends on load order."""
    rows = sorted((_repo_path(f, root), f.fiche.owner.github) for f in fiches)
    lines = [_HEADER, "# Standaard: de beheerders keuren alles goed.", f"* {MAINTAINERS_TEAM}", ""]
    with_handle = [(path, handle) for path, handle in rows if handle]
    without = [path for path, handle in rows if not handle]
    if with_handle:
        lines.append("# Fiches: de eigenaar (owner.github) en de beheerders.")
        for path, handle in with_handle:
            owners = [handle] if handle == MAINTAINERS_TEAM else [handle, MAINTAINERS_TEAM]
            lines.append(" ".join([path, *owners]))
        lines.append("")
    if without:
        lines.append("# Fiches zonder owner.github (enkel de beheerders keuren ze goed):")
        lines.extend(f"#   {path}" for path in without)
        lines.append("")
    # Last, so no line above can hand it to a fiche owner: which key goes to which server.
    lines.append("# Welke sleutel naar welke server mag: enkel de beheerders.")
    lines.append(f"/{SECRETS_FILE.as_posix()} {MAINTAINERS_TEAM}")
    lines.append("")
    return "\n".join(lines)


def _expected(root: Path) -> str:
    return render_codeowners(load_repository(root).fiches, root)


def write_codeowners(root: Path) -> Path:
    target = root / CODEOWNERS_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_expected(root), encoding="utf-8")
    return target


def check_codeowners(root: Path) -> str | None:
    """None when the file matches the fiches; otherwise a Dutch message naming the difference."""
    target = root / CODEOWNERS_PATH
    expected = _expected(root)
    fix = "Voer `datapedia codeowners` uit en commit het resultaat."
    if not target.exists():
        return f"{CODEOWNERS_PATH} ontbreekt. {fix}"
    actual = target.read_text(encoding="utf-8")
    if actual == expected:
        return None
    have, want = actual.splitlines(), expected.splitlines()
    missing = [line for line in want if line not in have]
    extra = [line for line in have if line not in want]
    parts = [f"{CODEOWNERS_PATH} is niet up-to-date met de fiches."]
    parts += [f"  ontbreekt: {line}" for line in missing]
    parts += [f"  te veel:   {line}" for line in extra]
    if not (missing or extra):
        parts.append("  (zelfde regels, andere volgorde of witruimte)")
    parts.append(fix)
    return "\n".join(parts)
