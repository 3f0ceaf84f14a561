"""The hidden markers that tie an issue to a dataset and record what it last reported.

An issue belongs to a dataset through ``<!-- datapedia:dataset=<id> -->`` in its body
(the label ``datapedia`` is only for people: removing it changes nothing). Each report
carries ``<!-- datapedia:checked_at=<iso> -->`` (running a night twice adds nothing) and
``<!-- datapedia:state=<key> -->``, the failing dimensions and findings, so the sync
comments only when the diagnosis changes. Labels say what fails and what is muted.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

from datapedia.model.results import Diagnosis, Dimension, Status

LABEL = "datapedia"
NO_OWNER_LABEL = "geen-eigenaar"
MUTED_LABEL = "gedempt"
DIMENSION_LABEL = "dimensie:"

DATASET_MARKER = "<!-- datapedia:dataset={} -->"
CHECKED_MARKER = "<!-- datapedia:checked_at={} -->"
STATE_MARKER = "<!-- datapedia:state={} -->"
NIGHT_MARKER = "<!-- datapedia:nacht=onvolledig -->"
RECOVERED_STATE = "hersteld"
_DATASET_RE = re.compile(r"<!-- datapedia:dataset=([a-z0-9][a-z0-9-]{1,79}) -->")
_CHECKED_RE = re.compile(r"<!-- datapedia:checked_at=(\S+) -->")
_STATE_RE = re.compile(r"<!-- datapedia:state=([a-z0-9]+) -->")
_MUTED_RE = re.compile(MUTED_LABEL + r"(?: tot (\d{4}-\d{2}-\d{2}))?")


def failing_dimensions(diagnosis: Diagnosis) -> list[Dimension]:
    return [d for d in Dimension if diagnosis.dimensions[d].status == Status.fail]


def dimension_labels(diagnosis: Diagnosis) -> list[str]:
    return [f"{DIMENSION_LABEL}{d.value}" for d in failing_dimensions(diagnosis)]


def checked_key(diagnosis: Diagnosis) -> str:
    return diagnosis.checked_at.isoformat()


def state_key(diagnosis: Diagnosis) -> str:
    """What fails and why, as a short key: a new comment only when this changes."""
    failing = [
        f"{d.value}:{','.join(sorted(diagnosis.dimensions[d].findings))}"
        for d in failing_dimensions(diagnosis)
    ]
    return hashlib.sha256(";".join(failing).encode()).hexdigest()[:12]


def night_state(incomplete: dict) -> str:
    """The state key of an incomplete night: which shards and fiches it lacked."""
    text = json.dumps(incomplete, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def report_markers(checked_at: str, state: str) -> str:
    return f"{CHECKED_MARKER.format(checked_at)}\n{STATE_MARKER.format(state)}"


def dataset_of(issue: dict) -> str | None:
    """The dataset id an issue's body names in its marker, if any."""
    match = _DATASET_RE.search(issue.get("body") or "")
    return match.group(1) if match else None


def is_night_issue(issue: dict) -> bool:
    return NIGHT_MARKER in (issue.get("body") or "")


@dataclass
class LastReport:
    checked_at: str | None = None
    state: str | None = None


def last_report(texts: list[str]) -> LastReport:
    """The newest checked_at and state markers over an issue's body and comments."""
    report = LastReport()
    for text in texts:
        if checked := _CHECKED_RE.search(text):
            report.checked_at = checked.group(1)
        if state := _STATE_RE.search(text):
            report.state = state.group(1)
    return report


def muted(issue: dict, today: date) -> bool:
    """A label ``gedempt`` silences the issue; ``gedempt tot 2027-01-31`` until that day."""
    for label in issue.get("labels", []):
        match = _MUTED_RE.fullmatch(label.get("name", ""))
        if match and (not match.group(1) or date.fromisoformat(match.group(1)) >= today):
            return True
    return False
