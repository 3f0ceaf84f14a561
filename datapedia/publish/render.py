"""Render the site's Markdown from the fiches and ``checks/`` (the only step that writes Markdown).

Everything goes to ``site/generated/`` (gitignored). This module lists the outputs of a
render, each with the key of exactly what it is made of; ``outputs`` writes those whose
key changed. The pages' data is ``entries``/``context``, their words ``pages`` and the
templates, the handbook's fragments ``handbook``, the pictures ``plots``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment

from datapedia.model.fiche import Theme
from datapedia.model.findings import CATALOGUE
from datapedia.model.thresholds import THRESHOLDS
from datapedia.model.words import show
from datapedia.publish import cities, handbook, maps, plots, theme
from datapedia.publish.catalogue import mqa
from datapedia.publish.context import Context
from datapedia.publish.entries import Entry, load_entries
from datapedia.publish.outputs import Make, Outputs, RenderReport, code_version, key, write_outputs
from datapedia.publish.pages import environment
from datapedia.publish.paths import (
    CITIES,
    DATASETS,
    FRAGMENTS,
    GENERATED,
    MAPS,
    OWNERS,
    PLOTS,
    THEME_DIR,
    THEMES,
    slug,
)


@dataclass
class Site:
    """What every output of one render shares, and how a page is made from a template."""

    ctx: Context
    env: Environment
    version: str  # code and repository: an input of every output
    day: str
    # Windows (uptime, plot) end at midnight after `now`: a page is then a function of
    # its inputs and the day alone, so its key (which holds the day) never goes stale.
    horizon: datetime
    everything: str  # the key of every fiche's inputs: for pages that list them all

    @classmethod
    def of(cls, entries: list[Entry], now: datetime) -> Site:
        ctx = Context.of(entries, now)
        # The repository named in the pages' links is an input of every page too.
        version = key(code_version(), ctx.repository())
        day = now.date().isoformat()
        horizon = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
        everything = key(version, day, *(e.inputs for e in entries))
        return cls(ctx, environment(), version, day, horizon, everything)

    def prepare(self) -> None:
        """What every worker would otherwise compute for itself: the templates compiled,
        and the pictures' fixed parts and the map of Flanders when there are any."""
        for template in self.env.list_templates(filter_func=_markdown_template):
            self.env.get_template(template)
        plots.prepare()
        if any(e.has_positions for e in self.ctx.entries):
            maps.prepare()
            self.ctx.placed  # noqa: B018 (computed once, inherited by every worker)

    def page(self, template: str, **values: Any) -> Make:
        """How to make a page; a ``Later`` value is computed only when it is made."""

        def make() -> bytes:
            ready = {k: v.func() if isinstance(v, Later) else v for k, v in values.items()}
            page = self.env.get_template(template).render(ctx=self.ctx, now=self.ctx.now, **ready)
            return page.encode()

        return make


def _markdown_template(name: str) -> bool:
    return name.endswith(".md.j2") or name.startswith("_")


@dataclass(frozen=True)
class Later:
    """A template value computed only if its page must be written (an unchanged site
    skips it: ordering the worklist reads every history)."""

    func: Callable[[], Any]


def _dataset_page(site: Site, e: Entry, related: list, plot_rel: str, map_rel: str) -> bytes:
    return site.page(
        "dataset.md.j2",
        e=e,
        related=related,
        plot=f"../{plot_rel}" if plots.window(e.history, site.horizon) else None,
        plot_alt=plots.history_alt(e.history, site.horizon),
        map=f"../{map_rel}" if e.has_positions else None,
        map_alt=site.ctx.map_alt(e),
        uptimes=e.judged_uptimes,
        stale=e.judged("timeliness", "stale_since"),
        score=e.mqa_score,
        mqa=mqa,
    )()


def _dataset_outputs(site: Site, entry: Entry, titles: dict[str, str]) -> Outputs:
    """A fiche's page, its history picture and its map."""
    outputs: Outputs = {}
    related = [(rid, titles.get(rid)) for rid in entry.fiche.related]
    plot_rel, map_rel = f"{PLOTS}/{entry.id}.svg", f"{MAPS}/{entry.id}.svg"
    if entry.history_raw and not entry.missing:
        # history_svg gives None (no file) when nothing falls in the 90-day window.
        outputs[plot_rel] = (
            key(site.version, site.day, entry.inputs, "plot"),
            lambda: plots.history_svg(entry.history, site.horizon, entry.judged_interval),
        )
    if entry.has_positions:
        outputs[map_rel] = (
            key(site.version, entry.inputs, "map"),
            lambda: maps.map_svg(site.ctx.placed[entry.id], entry.fiche.title),
        )
    outputs[f"{DATASETS}/{entry.id}.md"] = (
        key(site.version, site.day, entry.inputs, json.dumps(related), entry.owner_slug),
        lambda: _dataset_page(site, entry, related, plot_rel, map_rel),
    )
    return outputs


def _listing_outputs(site: Site) -> Outputs:
    """The pages that list fiches: per theme, per owner, the owners and the overview.

    They are built only when they must be written: ordering the worklist reads every
    history, which an unchanged site must not pay for."""
    ctx, outputs = site.ctx, {}
    for t in Theme:
        outputs[f"{THEMES}/{t.value}.md"] = (
            key(site.everything, "theme", t.value),
            site.page(
                "theme.md.j2",
                theme=t,
                selected=Later(lambda t=t: [e for e in ctx.worklist if e.fiche.theme == t]),
            ),
        )
    for owner_slug, owned in ctx.owners.items():
        outputs[f"{OWNERS}/{owner_slug}.md"] = (
            key(site.everything, "owner", owner_slug),
            site.page(
                "owner.md.j2",
                owner_slug=owner_slug,
                owned=Later(lambda owned=owned: sorted(owned, key=lambda e: e.urgency)),
                partner_in=Later(lambda o=owner_slug: ctx.partner_in(o)),
            ),
        )
    outputs[f"{OWNERS}/index.md"] = (key(site.everything, "owners"), site.page("owners.md.j2"))
    outputs[f"{FRAGMENTS}/overzicht.md"] = (
        key(site.everything, "overview"),
        site.page("overview.md.j2", selected=ctx.entries, base="generated/"),
    )
    return outputs


def _city_outputs(site: Site) -> Outputs:
    ctx = site.ctx
    city_list = [(city, slug(city)) for city in cities.CENTRUMSTEDEN]
    outputs = {
        f"{CITIES}/index.md": (
            key(site.everything, "cities"),
            site.page(
                "cities.md.j2",
                datasets=Later(lambda: ctx.measured),
                without=Later(lambda: [e for e in ctx.worklist if e.id not in ctx.placed]),
                city_list=city_list,
                factor=show(THRESHOLDS.unit_fresh_factor),
            ),
        )
    }
    for city, city_slug in city_list:
        outputs[f"{CITIES}/{city_slug}.md"] = (
            key(site.everything, "city", city),
            lambda c=city: site.page("city.md.j2", city=c, **ctx.city_rows(c))(),
        )
    return outputs


def _theme_outputs(site: Site) -> Outputs:
    ctx = site.ctx
    return {
        f"{THEME_DIR}/main.html": (
            key(site.version, site.day, ctx.newest_check, ctx.now.isoformat() if ctx.stale else ""),
            lambda: theme.main_override(ctx.newest_check, ctx.now, ctx.stale).encode(),
        ),
        f"{THEME_DIR}/404.html": (key(site.version, "404"), lambda: theme.NOT_FOUND.encode()),
        f"{THEME_DIR}/partials/search.html": (
            key(site.version, theme.search_version()),
            lambda: theme.search_partial().encode(),
        ),
    }


def _handbook_outputs(site: Site) -> Outputs:
    version, entries = site.version, site.ctx.entries
    return {
        f"{FRAGMENTS}/velden.md": (
            key(version, "fields"),
            site.page("fields.md.j2", rows=Later(handbook.schema_rows)),
        ),
        f"{FRAGMENTS}/dimensies.md": (
            key(version, handbook.thresholds_inputs(), "dimensions"),
            site.page("dimensions.md.j2", groups=Later(handbook.threshold_groups)),
        ),
        f"{FRAGMENTS}/bevindingen.md": (
            key(version, repr(sorted(CATALOGUE.items())), "findings"),
            site.page("findings.md.j2"),
        ),
        # The data.europa.eu MQA score of every dataset, for the handbook.
        f"{FRAGMENTS}/mqa-scores.md": (
            key(site.everything, "mqa"),
            site.page(
                "mqa_scores.md.j2",
                scores=Later(lambda: [(e, e.mqa_score) for e in entries]),
                mqa=mqa,
            ),
        ),
        f"{FRAGMENTS}/mqa-tabel.md": (
            key(version, "mqa-table"),
            site.page("mqa_table.md.j2", mqa=mqa),
        ),
    }


def render_site(
    root: Path, checks_dir: Path, now: datetime, out_dir: Path | None = None
) -> RenderReport:
    root = Path(root)
    out = Path(out_dir) if out_dir else root / GENERATED
    entries, problems, quarantined = load_entries(root, Path(checks_dir))
    site = Site.of(entries, now)
    titles = {e.id: e.fiche.title for e in entries}
    outputs: Outputs = {}
    for entry in entries:
        outputs.update(_dataset_outputs(site, entry, titles))
    for part in (_listing_outputs, _city_outputs, _theme_outputs, _handbook_outputs):
        outputs.update(part(site))
    report = write_outputs(out, outputs, site.prepare)
    report.problems, report.quarantined, report.entries = problems, quarantined, entries
    return report
