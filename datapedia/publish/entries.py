"""One fiche as the pages see it: the fiche, its latest diagnosis and what follows from them.

Nothing is judged here: every status, verdict and sentence comes from what the judge
stored in ``checks/``; an ``Entry`` only reads it, orders it and says it in Dutch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from datapedia.load.fiches import LoadedFiche, load_repository
from datapedia.model.fiche import BlockerKind, DatasetStatus, Fiche, Level
from datapedia.model.results import (
    UPTIME_WINDOWS,
    VERDICT_ORDER,
    Diagnosis,
    Dimension,
    HistoryEntry,
    Status,
    Verdict,
    verdict_of,
)
from datapedia.publish import checklist
from datapedia.publish.catalogue import mqa
from datapedia.publish.outputs import key
from datapedia.publish.paths import unique_slug
from datapedia.store.checks import ChecksStore
from datapedia.util.files import read_or_empty

_LEVELS = list(Level)  # declared worst first: rood, oranje, groen


@dataclass
class Entry:
    loaded: LoadedFiche
    diagnosis: Diagnosis | None
    store: ChecksStore
    owner_slug: str
    inputs: bytes  # fiche + latest check + history: what this fiche's outputs are made of
    history_raw: bytes = b""  # checks/history/<id>.jsonl as read for ``inputs``

    @cached_property
    def history(self) -> list[HistoryEntry]:
        # Parsed only when a page or plot of this fiche is actually rendered, from the
        # bytes read for the key: an unchanged site never parses a history.
        return self.store.parse_history(self.id, self.history_raw) if self.history_raw else []

    def __post_init__(self) -> None:
        # Plain attributes, not properties: the templates read them thousands of times.
        self.fiche: Fiche = self.loaded.fiche
        self.id: str = self.fiche.id

    @property
    def overall(self) -> Status:
        return self.diagnosis.overall if self.diagnosis else Status.unknown

    def judged(self, dimension: str, name: str) -> Any:
        """A value the judge stored in a dimension's evidence (None without a check)."""
        if not self.diagnosis:
            return None
        value = self.diagnosis.dimensions[Dimension(dimension)].evidence.get(name)
        return datetime.fromisoformat(value) if name.endswith("_since") and value else value

    @property
    def judged_uptimes(self) -> dict[int, float | None]:
        return {d: self.judged("availability", f"uptime_{d}d") for d in UPTIME_WINDOWS}

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
        return sorted(self.fiche.blockers, key=lambda b: _LEVELS.index(b.level))

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
            return f"{dim.label.capitalize()}: {self.diagnosis.dimensions[dim].headline}"
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
        levels = {b.level for b in self.fiche.blockers}
        if self.verdict in (Verdict.fail, Verdict.missing) or Level.rood in levels:
            return "nodig"
        if self.verdict in (Verdict.warn, Verdict.not_judged) or Level.oranje in levels:
            return "gewenst"
        return "geen"

    def blocker_lights(self) -> list[tuple[BlockerKind, Any]]:
        """All five kinds of blocker, each with the fiche's blocker or None."""
        by_kind = {b.kind: b for b in self.blockers_sorted}
        return [(kind, by_kind.get(kind)) for kind in BlockerKind]

    def checklist(self) -> list[tuple[str, str, str, str]]:
        """(mark, item, sentence, evidence) like datapedia.nl's head (see ``checklist``)."""
        return checklist.items(self)

    @property
    def urgency(self) -> tuple:
        since = self.since.timestamp() if self.since else float("inf")
        red = sum(1 for b in self.fiche.blockers if b.level == Level.rood)
        # Worst verdict first, then the longest-standing, then the most red blockers.
        rank = VERDICT_ORDER.index(self.verdict)
        return (rank, since, -len(self.problems_first), -red, self.fiche.title)


def _unique(loaded: list[LoadedFiche], problems: list[str]) -> list[LoadedFiche]:
    """The fiches whose id was not seen before; a second one with the same id is a problem."""
    seen: dict[str, Path] = {}
    valid = []
    for item in loaded:
        if item.fiche.id in seen:
            problems.append(
                f"{item.path}: id {item.fiche.id!r} bestaat al in {seen[item.fiche.id]}"
            )
            continue
        seen[item.fiche.id] = item.path
        valid.append(item)
    return valid


def load_entries(root: Path, checks_dir: Path) -> tuple[list[Entry], list[str], list[str]]:
    """The valid fiches as entries, the problems of those left out, and the checks/ files
    that could not be read (quarantined by the store)."""
    result = load_repository(root)
    problems = [str(p) for p in result.problems]
    store = ChecksStore(checks_dir)
    slugs: dict[str, str] = {}  # owner name -> unique slug
    entries = []
    for loaded in _unique(result.fiches, problems):
        fid = loaded.fiche.id
        name = loaded.fiche.owner.name
        if name not in slugs:
            slugs[name] = unique_slug(name, slugs.values())
        latest = read_or_empty(store.latest_path(fid))  # read once: for the key and the page
        history = read_or_empty(store.history_path(fid))
        entries.append(
            Entry(
                loaded=loaded,
                diagnosis=store.latest_or_quarantine(fid, latest) if latest else None,
                store=store,
                owner_slug=slugs[name],
                inputs=key(loaded.digest, latest, history).encode(),
                history_raw=history,
            )
        )
    entries.sort(key=lambda e: (e.fiche.theme.value, e.fiche.title.lower(), e.id))
    return entries, problems, store.warnings
