"""What every page of one render shares: all entries, the owners, the worklist, the cities.

Built once per render and handed to every template as ``ctx``; the orderings and the
city placement are computed on first use only, so an unchanged site does not pay for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from datapedia.judge.timeliness import freshness_window
from datapedia.model.results import VERDICT_ORDER, Verdict
from datapedia.model.words import count
from datapedia.publish import cities
from datapedia.publish.entries import Entry
from datapedia.publish.paths import DEFAULT_REPOSITORY, unique_slug

# Older than this, the newest check no longer describes today: every page says so.
STALE_SITE_AFTER = timedelta(hours=36)


@dataclass
class Context:
    entries: list[Entry]
    now: datetime
    owners: dict[str, list[Entry]]  # slug -> entries
    owner_names: dict[str, str]  # slug -> display name

    @classmethod
    def of(cls, entries: list[Entry], now: datetime) -> Context:
        """The context of these entries: every owner, and every organisation named only
        as a partner (it gets a page too: what it is asked to do)."""
        owners: dict[str, list[Entry]] = {}
        owner_names: dict[str, str] = {}
        for entry in entries:
            owners.setdefault(entry.owner_slug, []).append(entry)
            owner_names[entry.owner_slug] = entry.fiche.owner.name
        known = {name.casefold() for name in owner_names.values()}
        for entry in entries:
            for partner in entry.fiche.partners:
                if partner.name.casefold() not in known:
                    known.add(partner.name.casefold())
                    candidate = unique_slug(partner.name, owner_names)
                    owners[candidate] = []
                    owner_names[candidate] = partner.name
        return cls(entries=entries, now=now, owners=owners, owner_names=owner_names)

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def counts(self, entries: list[Entry] | None = None) -> dict[Verdict, int]:
        counts = dict.fromkeys(VERDICT_ORDER, 0)
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
        checked = [e for e in self.entries if e.checked]
        found = cities.place_all(
            [(e.diagnosis, freshness_window(e.fiche, e.diagnosis.endpoints)) for e in checked]
        )
        return {e.id: units for e, units in zip(checked, found, strict=True) if units}

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

    def map_alt(self, entry: Entry) -> str:
        """The text alternative of a dataset's map: its units, fresh ones, per city."""
        cells = self.city_cells.get(entry.id, {})
        with_units = [f"{city} {c.fresh} van {c.inside}" for city, c in cells.items() if c.inside]
        units = self.placed.get(entry.id, [])
        return (
            f"Kaart van Vlaanderen: {count(len(units), 'meetpunt')}, "
            f"waarvan {sum(p.fresh for p in units)} met verse data. In de centrumsteden (vers van "
            f"totaal): {'; '.join(with_units) or 'geen'}."
        )
