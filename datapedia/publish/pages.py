"""The template environment of the site's Markdown: its escaping, filters and names.

Fiche text is untrusted (it arrives in pull requests) and Markdown passes raw HTML
through, so every value that reaches a template is escaped by default (the jinja2
``finalize`` hook) for both HTML and Markdown; only ``Markup`` built here is trusted.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from datapedia.model.fiche import Theme
from datapedia.model.findings import CATALOGUE
from datapedia.model.results import Dimension, Status, Verdict
from datapedia.model.words import count, duration, percent, show
from datapedia.model.words import label as evidence_label
from datapedia.publish.checklist import AUTH_LABELS
from datapedia.publish.escape import ext_link, mail_link, md, md_block, md_text, plain, trusted
from datapedia.publish.outputs import TEMPLATES

THEME_LABELS = {Theme.water: "Water", Theme.mobiliteit: "Mobiliteit"}
# The status colours of the stylesheet: a verdict that is no status takes the nearest.
_VERDICT_CLASS = {
    Verdict.ok: "ok",
    Verdict.warn: "warn",
    Verdict.fail: "fail",
    Verdict.not_judged: "unknown",
    Verdict.missing: "missing",
}


def status_span(status: Status | str) -> Markup:
    status = Status(status)
    return trusted(
        f'<span class="dp-status dp-{status.value}" data-status="{status.value}">'
        f"{status.label}</span>"
    )


def verdict_span(verdict: Verdict | str) -> Markup:
    verdict = Verdict(verdict)
    return trusted(
        f'<span class="dp-status dp-{_VERDICT_CLASS[verdict]}" data-verdict="{verdict.value}">'
        f"{verdict.label}</span>"
    )


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


FILTERS = {
    "md_block": md_block,
    "text": md_text,
    "plain": plain,
    "link": ext_link,
    "mail": mail_link,
    "status": status_span,
    "ago": days_ago,
    "time": fmt_time,
    "duration": fmt_duration,
    "evidence": show,
    "percent": percent,
    "evidence_label": evidence_label,
    "verdict": verdict_span,
    "day": day_text,
    "short_day": short_day,
    "age": duration,
    "count": count,
    "json": lambda v: trusted(json.dumps(v, ensure_ascii=True)),
}
NAMES = {
    "Dimension": Dimension,
    "Status": Status,
    "CATALOGUE": CATALOGUE,
    "THEME_LABELS": THEME_LABELS,
    "Verdict": Verdict,
    "AUTH_LABELS": AUTH_LABELS,
    "Markup": Markup,
}


def environment() -> Environment:
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
    env.filters.update(FILTERS)
    env.globals.update(NAMES)
    return env
