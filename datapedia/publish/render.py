"""Render the site's Markdown from the fiches and ``checks/`` (the only step that writes Markdown).

Everything goes to ``site/generated/`` (gitignored). The work is incremental: each
output has a key (hash of exactly the inputs it is made of plus the code version);
an output whose key is in the manifest and whose file exists is skipped, so a
change to one fiche only rewrites that fiche's page, plot and the pages that list
every fiche. Outputs of fiches that no longer exist are removed.

Fiche text is untrusted (it arrives in pull requests) and Markdown passes raw HTML
through, so every value that reaches a template is escaped by default (the jinja2
``finalize`` hook) for both HTML and Markdown; only ``Markup`` built here is trusted.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import material
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from datapedia.judge.timeliness import freshness_window
from datapedia.load.fiches import LoadedFiche, load_repository
from datapedia.model.fiche import AuthKind, BlockerKind, DatasetStatus, Fiche, Theme
from datapedia.model.findings import CATALOGUE
from datapedia.model.results import Diagnosis, Dimension, HistoryEntry, Status, Verdict, verdict_of
from datapedia.model.thresholds import EXPLANATIONS, THRESHOLD_DIMENSION, THRESHOLDS
from datapedia.model.words import count, duration, percent, show
from datapedia.model.words import label as evidence_label
from datapedia.probe.transport.settings import EXPLANATIONS as TRANSPORT_EXPLANATIONS
from datapedia.probe.transport.settings import TRANSPORT
from datapedia.publish import cities, plots
from datapedia.publish.catalogue import mqa
from datapedia.publish.escape import (
    ext_link,
    mail_link,
    md,
    md_block,
    md_text,
    plain,
    trusted,
)
from datapedia.store.checks import ChecksStore
from datapedia.util.files import atomic_write, read_or_empty
from datapedia.util.parallel import fork_map

TEMPLATES = Path(__file__).parent / "templates"
# mkdocs-material's search partial, named in our theme override (see _search_partial).
_THEME_SEARCH = Path(material.__file__).parent / "templates" / "partials" / "search.html"
MANIFEST = ".manifest.json"
# Below this many pages to (re)write, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 200
GENERATED = Path("site") / "generated"

# Where each kind of page lives inside site/generated/ (mkdocs builds *.md to *.html).
DATASETS, PLOTS, THEMES, OWNERS, FRAGMENTS = "datasets", "plots", "themas", "eigenaars", "fragments"
CITIES, MAPS, THEME_DIR = "steden", "kaarten", "theme"
# Where fiches, issues and the issue form live; the nightly job sets GITHUB_REPOSITORY.
DEFAULT_REPOSITORY = "datapedia-vlaanderen/datapedia"
# Older than this, the newest check no longer describes today: every page says so.
STALE_SITE_AFTER = timedelta(hours=36)


def dataset_page(fiche_id: str) -> str:
    """A dataset page's path from the site root (mkdocs, ``use_directory_urls: false``)."""
    return f"{GENERATED.name}/{DATASETS}/{fiche_id}.html"


THEME_LABELS = {Theme.water: "Water", Theme.mobiliteit: "Mobiliteit"}
AUTH_LABELS = {
    AuthKind.none: "vrij",
    AuthKind.api_key: "API-sleutel",
    AuthKind.token: "token",
    AuthKind.registration: "registratie",
}
# Order of the worklist: what is broken first, then what does not exist, then the rest.
_URGENCY = {
    Verdict.fail: 0,
    Verdict.warn: 1,
    Verdict.missing: 2,
    Verdict.not_judged: 3,
    Verdict.ok: 4,
}
# The checklist under a dataset's title: accessibility findings that contradict an item.
_CHECK_FINDINGS = {
    "format": ("TOE-06",),
    "licence": ("TOE-02", "TOE-03", "TOE-09"),
    "bulk": ("TOE-07",),
    "public": ("TOE-04", "TOE-05"),
}
_LEVEL_ORDER = {"rood": 0, "oranje": 1, "groen": 2}


@dataclass
class RenderReport:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    out_dir: Path | None = None
    # Fiches left out because they do not validate: one broken fiche must not take the
    # whole site down, but the build reports it.
    problems: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list, repr=False)

    def pages_written(self, prefix: str = "") -> list[str]:
        return [p for p in self.written if p.startswith(prefix) and p.endswith(".md")]

    def __str__(self) -> str:
        return (
            f"{count(len(self.written), 'bestand')} geschreven, {len(self.skipped)} ongewijzigd, "
            f"{len(self.removed)} verwijderd"
        )


def status_span(status: Status | str) -> Markup:
    status = Status(status)
    return trusted(
        f'<span class="dp-status dp-{status.value}" data-status="{status.value}">'
        f"{status.label}</span>"
    )


_VERDICT_CLASS = {
    Verdict.ok: "ok",
    Verdict.warn: "warn",
    Verdict.fail: "fail",
    Verdict.not_judged: "unknown",
    Verdict.missing: "missing",
}


def verdict_span(verdict: Verdict | str) -> Markup:
    verdict = Verdict(verdict)
    return trusted(
        f'<span class="dp-status dp-{_VERDICT_CLASS[verdict]}" data-verdict="{verdict.value}">'
        f"{verdict.label}</span>"
    )


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def days_ago(when: datetime, now: datetime) -> str:
    days = (now.date() - when.date()).days
    if days <= 0:
        return "vandaag"
    return "gisteren" if days == 1 else f"{days} dagen geleden"


def fmt_time(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M %Z").strip() if when else "onbekend"


def day_text(moment: datetime) -> str:
    """22-11-2026."""
    return moment.strftime("%d-%m-%Y")


def short_day(moment: datetime) -> str:
    """22-11."""
    return moment.strftime("%d-%m")


def fmt_duration(delta: timedelta | None) -> str:
    return duration(delta) if delta is not None else "onbekend"


def evidence_text(value: Any) -> str:
    return show(value)


_PLACEHOLDER = re.compile(r"\\\{[a-z_]+\\\}")


def deciding_text(result: Any) -> str:
    """The sentence of a dimension's summary that decided its status, as the judge filled it in.

    A summary joins the texts of all findings (informational ones too); a worklist line
    shows only the worst finding's text, found by its catalogue message as a pattern.
    """
    found = [CATALOGUE[f] for f in result.findings if f in CATALOGUE]
    if found:
        worst = max(found, key=lambda f: f.status.rank)
        pattern = _PLACEHOLDER.sub("(.+?)", re.escape(worst.message)) + r"(?=\s|$)"
        match = re.search(pattern, result.summary)
        if match:
            return match.group(0)
    return result.summary


# --- the data the templates see --------------------------------------------
@dataclass
class Entry:
    loaded: LoadedFiche
    diagnosis: Diagnosis | None
    store: ChecksStore
    owner_slug: str
    inputs: bytes  # fiche + latest check + history: what this fiche's outputs are made of

    @cached_property
    def history(self) -> list[HistoryEntry]:
        # Parsed only when a page or plot of this fiche is actually rendered: with
        # long histories, parsing every fiche's on every build would dominate.
        return self.store.read_history(self.id)

    @property
    def fiche(self) -> Fiche:
        return self.loaded.fiche

    @property
    def id(self) -> str:
        return self.fiche.id

    @property
    def overall(self) -> Status:
        return self.diagnosis.overall if self.diagnosis else Status.unknown

    def judged(self, dimension: str, key: str) -> Any:
        """A value the judge stored in a dimension's evidence (None without a check)."""
        if not self.diagnosis:
            return None
        value = self.diagnosis.dimensions[Dimension(dimension)].evidence.get(key)
        return datetime.fromisoformat(value) if key.endswith("_since") and value else value

    @property
    def judged_uptimes(self) -> dict[int, float | None]:
        return {d: self.judged("availability", f"uptime_{d}d") for d in (7, 30, 90)}

    @property
    def judged_interval(self) -> timedelta | None:
        """The interval timeliness was judged against (declared or seen in the data)."""
        seconds = self.judged("timeliness", "expected_s")
        return timedelta(seconds=seconds) if seconds else None

    def status(self, dimension: Dimension) -> Status:
        if not self.diagnosis:
            return Status.unknown
        return self.diagnosis.dimensions[dimension].status

    def endpoint(self, index: int):
        """The latest observation of the fiche's distribution number ``index``, if any."""
        found = (
            [o for o in self.diagnosis.endpoints if o.distribution == index]
            if self.diagnosis
            else []
        )
        return found[0] if found else None

    @property
    def problems_first(self) -> list[Dimension]:
        """Dimensions that fail or warn, worst first."""
        bad = [d for d in Dimension if self.status(d) in (Status.fail, Status.warn)]
        return sorted(bad, key=lambda d: -self.status(d).rank)

    @property
    def blockers_sorted(self):
        return sorted(self.fiche.blockers, key=lambda b: _LEVEL_ORDER[b.level.value])

    @cached_property
    def _verdict(self) -> tuple[Verdict, str]:
        d = self.diagnosis
        if d is None:
            return (Verdict.missing if self.missing else Verdict.not_judged), ""
        if "verdict" in d.model_fields_set:
            return d.verdict, d.verdict_reason
        # A checks/ file from before the verdict was stored: the judge's own rule says it.
        return verdict_of(d.dimensions, self.missing)

    @property
    def verdict(self) -> Verdict:
        return self._verdict[0]

    @cached_property
    def mqa_score(self) -> mqa.Score | None:
        """The MQA score: shown on the dataset page and in the handbook's table."""
        return mqa.score(self.fiche, self.diagnosis)

    @property
    def has_positions(self) -> bool:
        return self.checked and any(o.unit_positions for o in self.diagnosis.endpoints)

    @property
    def missing(self) -> bool:
        return self.fiche.status == DatasetStatus.ontbrekend

    @property
    def checked(self) -> bool:
        """Whether a probe looked at it: a dataset that does not exist is never "gecontroleerd"."""
        return self.diagnosis is not None and not self.missing

    @cached_property
    def since(self) -> datetime | None:
        """Since when the latest overall status holds without a break (from the history)."""
        if not self.checked:
            return None
        start = None
        for entry in reversed(self.history):
            if entry.overall != self.overall:
                break
            start = entry.checked_at
        return start or self.diagnosis.checked_at

    @property
    def why(self) -> str:
        """The deciding finding in one line of plain Dutch (the judge's own words)."""
        verdict = self.verdict
        if verdict in (Verdict.fail, Verdict.warn):
            dim = self.problems_first[0]
            return f"{dim.label.capitalize()}: {deciding_text(self.diagnosis.dimensions[dim])}"
        if verdict == Verdict.missing:
            return "De dataset bestaat nog niet."
        if self.diagnosis is None:
            return "Nog niet gecontroleerd: de probes hebben deze dataset nog niet bevraagd."
        if verdict == Verdict.not_judged:
            return self._verdict[1] or "Niet beoordeeld."
        return "Alle gemeten dimensies zijn in orde."

    @property
    def who(self) -> tuple[str, str | None]:
        """Who must act: the owner, and the first partner with what it must do."""
        partner = self.fiche.partners[0] if self.fiche.partners else None
        role = partner.role.rstrip(". ") if partner else ""
        return self.fiche.owner.name, f"{partner.name}: {role}" if partner else None

    @property
    def improvements(self) -> str:
        """ "nodig", "gewenst" or "geen": the verdict and the fiche's own blockers summed up."""
        levels = {b.level.value for b in self.fiche.blockers}
        if self.verdict in (Verdict.fail, Verdict.missing) or "rood" in levels:
            return "nodig"
        if self.verdict in (Verdict.warn, Verdict.not_judged) or "oranje" in levels:
            return "gewenst"
        return "geen"

    def blocker_lights(self) -> list[tuple[BlockerKind, Any]]:
        """All five kinds of blocker, each with the fiche's blocker or None."""
        by_kind = {b.kind: b for b in self.blockers_sorted}
        return [(kind, by_kind.get(kind)) for kind in BlockerKind]

    def checklist(self) -> list[tuple[str, str, str, str]]:
        """(mark, item, sentence, evidence) like datapedia.nl's head, from what was stored.

        mark is ok/fail/warn/unknown; nothing is judged here: measured items take their
        dimension's status, the others the accessibility findings the judge recorded.
        """
        d = self.diagnosis
        access = d.dimensions[Dimension.accessibility] if d else None
        found = set(access.findings) if access else set()
        formats = ", ".join(dict.fromkeys(x.format for x in self.fiche.distributions)) or "geen"
        licence = self.fiche.licence.name if self.fiche.licence else "geen licentie opgegeven"
        auth = {x.auth.kind for x in self.fiche.distributions}

        def fiche_item(key: str, item: str, yes: str, no: str, evidence: str):
            if access is None or self.missing:
                return ("unknown", item, "Niet beoordeeld.", evidence)
            bad = [f for f in _CHECK_FINDINGS[key] if f in found]
            return ("fail" if bad else "ok", item, no if bad else yes, evidence)

        def measured(dim: Dimension, item: str, yes: str, no: str):
            status = self.status(dim) if self.checked else Status.unknown
            evidence = d.dimensions[dim].summary if self.checked else "Niet gemeten."
            sentence = {Status.ok: yes, Status.unknown: "Niet gemeten."}.get(status, no)
            return (status.value, item, sentence, evidence)

        return [
            measured(
                Dimension.availability,
                "Online",
                "De eindpunten antwoorden.",
                "Niet elk eindpunt antwoordt bruikbaar.",
            ),
            fiche_item(
                "format",
                "Machineleesbaar",
                "In een open, machineleesbaar formaat.",
                "Geen open, machineleesbaar formaat.",
                f"Formaat: {formats}.",
            ),
            fiche_item(
                "licence",
                "Open licentie",
                "Hergebruik is toegestaan.",
                "Hergebruik is niet (zeker) toegestaan.",
                f"Licentie: {licence}.",
            ),
            (
                "unknown",
                "Gratis",
                "Niet gemeten: de fiche vermeldt geen prijs.",
                "Geen veld in de fiche.",
            ),
            fiche_item(
                "bulk",
                "Bulkdownload",
                "Alles in één keer te downloaden.",
                "Enkel per stuk op te vragen.",
                "Bulkdownload: "
                + ("ja" if any(x.download for x in self.fiche.distributions) else "nee")
                + ".",
            ),
            measured(
                Dimension.timeliness,
                "Actueel",
                "De nieuwste waarneming is recent genoeg.",
                "De nieuwste waarneming is te oud.",
            ),
            measured(
                Dimension.completeness,
                "Compleet",
                "Geen ontbrekende waarden van belang.",
                "Er ontbreken waarden.",
            ),
            fiche_item(
                "public",
                "Publiek zonder registratie",
                "Vrij op te vragen, zonder sleutel.",
                "Een sleutel of registratie is nodig.",
                "Toegang: "
                + (
                    "vrij"
                    if auth <= {AuthKind.none}
                    else "met " + ", ".join(sorted(AUTH_LABELS[a] for a in auth))
                )
                + ".",
            ),
        ]

    @property
    def urgency(self) -> tuple:
        since = self.since.timestamp() if self.since else float("inf")
        red = sum(1 for b in self.fiche.blockers if b.level.value == "rood")
        # Worst verdict first, then the longest-standing, then the most red blockers.
        return (_URGENCY[self.verdict], since, -len(self.problems_first), -red, self.fiche.title)


@dataclass
class Context:
    entries: list[Entry]
    now: datetime
    owners: dict[str, list[Entry]]  # slug -> entries
    owner_names: dict[str, str]  # slug -> display name

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def counts(self, entries: list[Entry] | None = None) -> dict[Verdict, int]:
        counts = dict.fromkeys(_URGENCY, 0)
        for entry in self.entries if entries is None else entries:
            counts[entry.verdict] += 1
        return counts

    @cached_property
    def worklist(self) -> list[Entry]:
        return sorted(self.entries, key=lambda e: e.urgency)

    @cached_property
    def newest_check(self) -> datetime | None:
        return max((e.diagnosis.checked_at for e in self.entries if e.checked), default=None)

    @property
    def stale(self) -> bool:
        return self.newest_check is not None and self.now - self.newest_check > STALE_SITE_AFTER

    @cached_property
    def placed(self) -> dict[str, list[cities.Placed]]:
        """Per fiche: its units with their centrumstad and freshness (fiches with positions)."""
        found = {
            e.id: cities.placed_units(e.diagnosis, freshness_window(e.fiche, e.diagnosis.endpoints))
            for e in self.entries
            if e.checked
        }
        return {fid: units for fid, units in found.items() if units}

    @cached_property
    def city_cells(self) -> dict[str, dict[str, cities.CityCell]]:
        return {fid: cities.city_cells(units) for fid, units in self.placed.items()}

    @cached_property
    def measured(self) -> list[Entry]:
        """Datasets whose latest check placed units, worst first."""
        return [e for e in self.worklist if e.id in self.placed]

    def city_rows(self, city: str) -> dict[str, list]:
        rows = [(e, self.city_cells[e.id][city]) for e in self.measured]
        return {
            "rows": [(e, c) for e, c in rows if c.inside],
            "elsewhere": [e for e, c in rows if not c.inside],
        }

    def repository(self) -> str:
        return os.environ.get("GITHUB_REPOSITORY") or DEFAULT_REPOSITORY

    def org_slug(self, name: str) -> str | None:
        """The page of an organisation (owner or partner) by its name."""
        folded = name.casefold()
        return next((s for s, n in self.owner_names.items() if n.casefold() == folded), None)

    def partner_in(self, owner_slug: str) -> list[tuple[Entry, Any]]:
        """Datasets of other owners that name this organisation as a priority partner."""
        name = self.owner_names[owner_slug].casefold()
        return [
            (e, p)
            for e in self.entries
            if e.owner_slug != owner_slug
            for p in e.fiche.partners
            if p.name.casefold() == name
        ]


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # The output is Markdown, where HTML autoescaping is not enough: finalize=md
        # escapes every value for HTML *and* Markdown instead.
        autoescape=False,  # noqa: S701
        finalize=md,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change during a render: no stat per page
    )
    env.filters.update(
        md_block=md_block,
        text=md_text,
        plain=plain,
        link=ext_link,
        mail=mail_link,
        status=status_span,
        ago=days_ago,
        time=fmt_time,
        duration=fmt_duration,
        evidence=evidence_text,
        percent=percent,
        evidence_label=evidence_label,
        verdict=verdict_span,
        deciding=deciding_text,
        day=day_text,
        short_day=short_day,
        age=duration,
        count=count,
        json=lambda v: trusted(json.dumps(v, ensure_ascii=True)),
    )
    env.globals.update(
        Dimension=Dimension,
        Status=Status,
        CATALOGUE=CATALOGUE,
        THEME_LABELS=THEME_LABELS,
        Verdict=Verdict,
        AUTH_LABELS=AUTH_LABELS,
        Markup=Markup,
    )
    return env


def code_version() -> str:
    """Changes whenever the renderer or a template changes, so every output is redone."""
    digest = hashlib.sha256()
    # The modules whose labels, rules or model end up on the pages, and the templates.
    package = Path(__file__).parents[1]
    modules = sorted((package / "publish").rglob("*.py")) + sorted((package / "model").glob("*.py"))
    modules.append(package / "judge" / "history.py")
    for path in [*modules, *sorted(TEMPLATES.rglob("*"))]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _key(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def load_entries(root: Path, checks_dir: Path) -> tuple[list[Entry], list[str]]:
    """The valid fiches as entries, and the problems of those left out."""
    result = load_repository(root)
    problems = [str(p) for p in result.problems]
    seen: dict[str, Path] = {}
    valid = []
    for loaded in result.fiches:
        if loaded.fiche.id in seen:
            problems.append(
                f"{loaded.path}: id {loaded.fiche.id!r} bestaat al in {seen[loaded.fiche.id]}"
            )
            continue
        seen[loaded.fiche.id] = loaded.path
        valid.append(loaded)

    store = ChecksStore(checks_dir)
    slugs: dict[str, str] = {}  # owner name -> unique slug
    entries = []
    for loaded in valid:
        fid = loaded.fiche.id
        name = loaded.fiche.owner.name
        if name not in slugs:
            base = slug(name)
            candidate, n = base, 2
            while candidate in slugs.values():
                candidate, n = f"{base}-{n}", n + 1
            slugs[name] = candidate
        latest = read_or_empty(store.latest_path(fid))  # read once: for the key and the page
        entries.append(
            Entry(
                loaded=loaded,
                diagnosis=store.latest_or_quarantine(fid, latest) if latest else None,
                store=store,
                owner_slug=slugs[name],
                inputs=_key(loaded.digest, latest, read_or_empty(store.history_path(fid))).encode(),
            )
        )
    entries.sort(key=lambda e: (e.fiche.theme.value, e.fiche.title.lower(), e.id))
    return entries, problems + store.warnings


# --- handbook fragments (generated from the code so they never drift) ------
def _schema_type(prop: dict, defs: dict) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = defs[name]
        if "enum" in target:
            return " / ".join(str(v) for v in target["enum"])
        return name
    if "anyOf" in prop:
        return " / ".join(_schema_type(p, defs) for p in prop["anyOf"] if p.get("type") != "null")
    if prop.get("type") == "array":
        return f"lijst van {_schema_type(prop.get('items', {}), defs)}"
    if prop.get("type") == "object":
        return "sleutel: waarde"
    formats = {"uri": "URL", "email": "e-mail", "date": "datum"}
    types = {
        "string": "tekst",
        "integer": "geheel getal",
        "number": "getal",
        "boolean": "true/false",
    }
    kind = prop.get("type", "string")
    return formats.get(prop.get("format", ""), types.get(kind, kind))


def schema_rows() -> list[dict[str, str]]:
    """One row per field of the fiche, nested models as dotted paths."""
    schema = Fiche.model_json_schema()
    defs = schema.get("$defs", {})
    rows: list[dict[str, str]] = []

    def walk(model: dict, prefix: str, seen: tuple[str, ...]) -> None:
        required = set(model.get("required", []))
        for name, prop in model.get("properties", {}).items():
            path = f"{prefix}{name}"
            rows.append(
                {
                    "field": path,
                    "type": _schema_type(prop, defs),
                    "required": "ja" if name in required else "nee",
                    "description": prop.get("description")
                    or defs.get(_ref_name(prop) or "", {}).get("description", ""),
                }
            )
            ref = _ref_name(prop)
            if ref and ref not in seen and "properties" in defs.get(ref, {}):
                walk(defs[ref], path + ("[]." if _is_list(prop) else "."), (*seen, ref))

    walk(schema, "", ())
    return rows


def _is_list(prop: dict) -> bool:
    return prop.get("type") == "array" or any(
        p.get("type") == "array" for p in prop.get("anyOf", [])
    )


def _ref_name(prop: dict) -> str | None:
    candidates = [prop, prop.get("items", {}), *prop.get("anyOf", [])]
    candidates += [c.get("items", {}) for c in prop.get("anyOf", [])]
    for candidate in candidates:
        if "$ref" in candidate:
            return candidate["$ref"].rsplit("/", 1)[-1]
    return None


def threshold_value(name: str, value: Any) -> str:
    """A threshold as a reader says it: "10 seconden", "50 MB", "99%", "2×", "25%"."""
    if name.endswith("_s"):
        return duration(timedelta(seconds=value))
    if name.endswith("_pct"):
        return percent(value)
    if name.endswith("_ratio"):
        return percent(100 * value)
    if name.endswith("_factor"):
        return f"{show(value)}×"
    if name.endswith("_bytes"):
        return f"{show(value / 1024 / 1024)} MB"
    return show(value)


def threshold_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    probes = "alle dimensies (de probes)"
    groups: dict[str, list[tuple[str, str, str]]] = {probes: []}
    for name, explanation in TRANSPORT_EXPLANATIONS.items():
        groups[probes].append((name, threshold_value(name, getattr(TRANSPORT, name)), explanation))
    groups.update({d.label: [] for d in Dimension})
    for name, explanation in EXPLANATIONS.items():
        dimension = THRESHOLD_DIMENSION.get(name)
        label = dimension.label if dimension else probes
        value = threshold_value(name, getattr(THRESHOLDS, name))
        groups[label].append((name, value, explanation))
    return [(label, rows) for label, rows in groups.items() if rows]


# --- rendering --------------------------------------------------------------
def render_site(
    root: Path, checks_dir: Path, now: datetime, out_dir: Path | None = None
) -> RenderReport:
    root = Path(root)
    out = Path(out_dir) if out_dir else root / GENERATED
    entries, problems = load_entries(root, Path(checks_dir))
    store = ChecksStore(Path(checks_dir))
    owners: dict[str, list[Entry]] = {}
    owner_names: dict[str, str] = {}
    for entry in entries:
        owners.setdefault(entry.owner_slug, []).append(entry)
        owner_names[entry.owner_slug] = entry.fiche.owner.name
    # Organisations named only as a partner get a page too: what they are asked to do.
    known = {name.casefold() for name in owner_names.values()}
    for entry in entries:
        for partner in entry.fiche.partners:
            if partner.name.casefold() not in known:
                known.add(partner.name.casefold())
                base, n = slug(partner.name), 2
                candidate = base
                while candidate in owner_names:
                    candidate, n = f"{base}-{n}", n + 1
                owners[candidate] = []
                owner_names[candidate] = partner.name
    ctx = Context(entries=entries, now=now, owners=owners, owner_names=owner_names)
    env = _env()
    # The repository named in the pages' links is an input of every page too.
    version = _key(code_version(), ctx.repository())
    day = now.date().isoformat()
    # Windows (uptime, plot) end at midnight after `now`: a page is then a function of
    # its inputs and the day alone, so its key (which holds the day) never goes stale.
    horizon = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
    everything = _key(version, day, *(e.inputs for e in entries))

    outputs: dict[str, tuple[str, Callable[[], bytes | None]]] = {}

    def page(template: str, **values: Any) -> Callable[[], bytes]:
        return lambda: env.get_template(template).render(ctx=ctx, now=now, **values).encode()

    ids = ctx.by_id()
    for entry in entries:
        related = [
            (rid, ids[rid].fiche.title if rid in ids else None) for rid in entry.fiche.related
        ]
        plot_rel = f"{PLOTS}/{entry.id}.svg"
        if store.history_path(entry.id).exists() and not entry.missing:
            # history_svg gives None (no file) when nothing falls in the 90-day window.
            outputs[plot_rel] = (
                _key(version, day, entry.inputs, "plot"),
                lambda e=entry: plots.history_svg(e.history, horizon, e.judged_interval),
            )
        map_rel = f"{MAPS}/{entry.id}.svg"
        if entry.has_positions:
            outputs[map_rel] = (
                _key(version, entry.inputs, "map"),
                lambda e=entry: plots.map_svg(ctx.placed[e.id], e.fiche.title),
            )
        outputs[f"{DATASETS}/{entry.id}.md"] = (
            _key(version, day, entry.inputs, json.dumps(related), entry.owner_slug),
            lambda e=entry, r=related, rel=plot_rel, m=map_rel: page(
                "dataset.md.j2",
                e=e,
                related=r,
                plot=f"../{rel}" if plots.window(e.history, horizon) else None,
                plot_alt=plots.history_alt(e.history, horizon),
                map=f"../{m}" if e.has_positions else None,
                map_alt=_map_alt(e, ctx),
                uptimes=e.judged_uptimes,
                stale=e.judged("timeliness", "stale_since"),
                score=e.mqa_score,
                mqa=mqa,
            )(),
        )
    # The listings are built only when they must be written: ordering the worklist reads
    # every history, which an unchanged site must not pay for.
    for theme in Theme:
        outputs[f"{THEMES}/{theme.value}.md"] = (
            _key(everything, "theme", theme.value),
            lambda t=theme: page(
                "theme.md.j2", theme=t, selected=[e for e in ctx.worklist if e.fiche.theme == t]
            )(),
        )
    for owner_slug, owned in owners.items():
        outputs[f"{OWNERS}/{owner_slug}.md"] = (
            _key(everything, "owner", owner_slug),
            lambda o=owner_slug, own=owned: page(
                "owner.md.j2",
                owner_slug=o,
                owned=sorted(own, key=lambda e: e.urgency),
                partner_in=ctx.partner_in(o),
            )(),
        )
    city_list = [(city, slug(city)) for city in cities.CENTRUMSTEDEN]
    outputs[f"{CITIES}/index.md"] = (
        _key(everything, "cities"),
        lambda: page(
            "cities.md.j2",
            datasets=ctx.measured,
            without=[e for e in ctx.worklist if e.id not in ctx.placed],
            city_list=city_list,
            factor=show(THRESHOLDS.unit_fresh_factor),
        )(),
    )
    for city, city_slug in city_list:
        outputs[f"{CITIES}/{city_slug}.md"] = (
            _key(everything, "city", city),
            lambda c=city: page("city.md.j2", city=c, **ctx.city_rows(c))(),
        )
    outputs[f"{THEME_DIR}/main.html"] = (
        _key(version, day, ctx.newest_check, now.isoformat() if ctx.stale else ""),
        lambda: _theme_override(ctx).encode(),
    )
    outputs[f"{THEME_DIR}/404.html"] = (_key(version, "404"), lambda: NOT_FOUND.encode())
    outputs[f"{THEME_DIR}/partials/search.html"] = (
        _key(version, _theme_search().hexdigest()),
        lambda: _search_partial().encode(),
    )
    outputs[f"{OWNERS}/index.md"] = (_key(everything, "owners"), page("owners.md.j2"))
    outputs[f"{FRAGMENTS}/overzicht.md"] = (
        _key(everything, "overview"),
        page("overview.md.j2", selected=entries, base="generated/"),
    )
    outputs[f"{FRAGMENTS}/velden.md"] = (
        _key(version, "fields"),
        page("fields.md.j2", rows=schema_rows()),
    )
    outputs[f"{FRAGMENTS}/dimensies.md"] = (
        _key(
            version,
            json.dumps([EXPLANATIONS, TRANSPORT_EXPLANATIONS]),
            repr(THRESHOLDS),
            repr(TRANSPORT),
            "dimensions",
        ),  # fmt: skip
        page("dimensions.md.j2", groups=threshold_groups()),
    )
    outputs[f"{FRAGMENTS}/bevindingen.md"] = (
        _key(version, repr(sorted(CATALOGUE.items())), "findings"),
        page("findings.md.j2"),
    )
    # The data.europa.eu MQA score of every dataset, for the handbook.
    outputs[f"{FRAGMENTS}/mqa-scores.md"] = (
        _key(everything, "mqa"),
        lambda: page(
            "mqa_scores.md.j2",
            scores=[(e, e.mqa_score) for e in entries],
            mqa=mqa,
        )(),
    )
    outputs[f"{FRAGMENTS}/mqa-tabel.md"] = (
        _key(version, "mqa-table"),
        page("mqa_table.md.j2", mqa=mqa),
    )
    report = _write_outputs(out, outputs)
    report.problems = problems
    report.entries = entries
    return report


def _map_alt(entry: Entry, ctx: Context) -> str:
    cells = ctx.city_cells.get(entry.id, {})
    with_units = [f"{city} {c.fresh} van {c.inside}" for city, c in cells.items() if c.inside]
    units = ctx.placed.get(entry.id, [])
    return (
        f"Kaart van Vlaanderen: {count(len(units), 'meetpunt')}, "
        f"waarvan {sum(p.fresh for p in units)} met verse data. In de centrumsteden (vers van "
        f"totaal): {'; '.join(with_units) or 'geen'}."
    )


# The theme's 404 page says "404 - Not found"; ours is Dutch and points somewhere useful.
# mkdocs' url filter starts the links at the site's root (site_url's path when set), so
# they work whatever missing path the host answers with this page.
NOT_FOUND = """{% extends "main.html" %}
{% block content %}
<h1>Pagina niet gevonden</h1>
<p>Deze pagina bestaat niet (meer). Misschien kreeg de dataset een andere id, of werd
haar fiche verwijderd.</p>
<ul>
<li><a href="{{ 'index.html' | url }}">Naar het overzicht van alle datasets</a></li>
<li><a href="{{ 'generated/steden/index.html' | url }}">Naar de centrumsteden</a></li>
<li><a href="{{ 'handboek/index.html' | url }}">Naar het handboek</a></li>
</ul>
{% endblock %}
"""


def _theme_search():
    return hashlib.sha256(_THEME_SEARCH.read_bytes())


def _search_partial() -> str:
    """The theme's search box with a name for its dialog (axe: aria-dialog-name, serious)."""
    text = _THEME_SEARCH.read_text(encoding="utf-8")
    named = text.replace('role="dialog"', 'role="dialog" aria-label="Zoeken"', 1)
    if named == text:
        raise ValueError(f"{_THEME_SEARCH}: geen role=dialog meer; pas _search_partial aan")
    return named


def _theme_override(ctx: Context) -> str:
    """mkdocs-material's main.html with a site-wide banner when the data is old.

    Only dates and fixed words go in (no fiche text): this file is a theme template.
    """
    banner = ""
    if ctx.stale and ctx.newest_check is not None:
        banner = (
            '<p class="dp-banner" id="dp-verouderd" role="alert"><strong>Let op: verouderde '
            f"gegevens.</strong> De nieuwste controle is van {day_text(ctx.newest_check)}"
            f" ({duration(ctx.now - ctx.newest_check)} geleden). De nachtelijke "
            "controle liep sindsdien niet; wat hier staat, kan niet meer kloppen.</p>"
        )
    return (
        '{% extends "base.html" %}\n'
        "{# Written by datapedia render: the banner says when the newest check is old. #}\n"
        f"{{% block announce %}}{banner}{{% endblock %}}\n"
    )


def _write(path: Path, data: bytes) -> None:
    """Write a generated page in place, making its folder only when it is missing.

    Not via a temporary file and a rename: on the build machine's disk every
    directory operation cost ~0.5 ms, 2 s of a 1,000-page render. A page cut short by
    a killed run is harmless, because the manifest is written last: its old key for
    that page no longer matches, so the next render writes it again.

    Over the old bytes, then cut to length, rather than truncating first: ext4 frees
    the blocks of a file truncated to zero (0.23-0.29 ms a page on the build machine);
    a page of about the same size keeps its blocks (0.03-0.04 ms).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o666)
    with open(fd, "wb") as file:
        file.write(data)
        file.truncate()


# The outputs of the render under way, for the forked workers of ``fork_map``.
_OUTPUTS: dict[str, tuple[str, Callable[[], bytes | None]]] = {}


def _produce(out: Path, rel: str) -> bool:
    """Produce and write one output; False when it had nothing to show."""
    data = _OUTPUTS[rel][1]()
    if data is not None:
        _write(out / rel, data)
    return data is not None


def _write_outputs(
    out: Path, outputs: dict[str, tuple[str, Callable[[], bytes | None]]]
) -> RenderReport:
    report = RenderReport(out_dir=out)
    manifest_path = out / MANIFEST
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        manifest = {}
    written: dict[str, str] = {}
    todo = []
    for rel, (key, _) in sorted(outputs.items()):
        if manifest.get(rel) == key and (out / rel).exists():
            report.skipped.append(rel)
            written[rel] = key
        else:
            todo.append(rel)
    global _OUTPUTS
    _OUTPUTS = outputs
    try:
        produced = fork_map(functools.partial(_produce, out), todo, PARALLEL_MIN_PAGES)
    finally:
        _OUTPUTS = {}
    for rel, made in zip(todo, produced, strict=True):
        if made:  # else it had nothing to show (no history in the window)
            report.written.append(rel)
            written[rel] = outputs[rel][0]
    if out.exists():
        for path in sorted(out.rglob("*"), reverse=True):
            rel = path.relative_to(out).as_posix()
            if path.is_file() and rel != MANIFEST and rel not in written:
                path.unlink()
                report.removed.append(rel)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    atomic_write(manifest_path, json.dumps(written, indent=1, sort_keys=True).encode())
    return report
