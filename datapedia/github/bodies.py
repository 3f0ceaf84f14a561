"""The texts of the issues and their comments, in Dutch, built from stored diagnoses.

Everything taken from a fiche or a remote service goes through ``publish.escape``
(``github_text``, and ``github_code_block`` via the report's dimension sections), so
no fiche author can mention, link or fake a marker. Each report starts with the
markers of ``github.markers`` so the next sync knows what was said.
"""

from __future__ import annotations

from datetime import datetime

from datapedia.github.markers import (
    CHECKED_MARKER,
    DATASET_MARKER,
    NIGHT_MARKER,
    RECOVERED_STATE,
    checked_key,
    failing_dimensions,
    night_state,
    report_markers,
    state_key,
)
from datapedia.github.report import dataset_url, dimension_section, format_time
from datapedia.model import words
from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis, Dimension
from datapedia.publish.escape import github_text

TITLE_MAX = 256
NIGHT_TITLE = "Nachtelijke controle onvolledig"
# An incomplete night names at most this many fiches; the run's log has them all.
NIGHT_IDS_SHOWN = 100


def _markers(diagnosis: Diagnosis, state: str) -> str:
    return report_markers(checked_key(diagnosis), state)


def _labels(dimensions: list[Dimension]) -> str:
    return ", ".join(d.label for d in dimensions)


def _owner_line(fiche: Fiche) -> str:
    handle = fiche.owner.github
    owner = github_text(fiche.owner.name)
    if not handle:
        return (
            f"Eigenaar: {owner}. De fiche vermeldt geen GitHub-handle (`owner.github`), "
            "dus niemand kreeg dit issue toegewezen: beheerders, vraag de eigenaar er een toe "
            "te voegen."
        )
    if "/" in handle:
        # Teams cannot be assignees; naming the team notifies its members instead.
        return f"Eigenaar: {owner}, team {handle}."
    return f"Eigenaar: {owner} ({handle})."


def _evidence(diagnosis: Diagnosis, dimensions: list[Dimension]) -> str:
    return "\n\n".join(dimension_section(diagnosis, d) for d in dimensions)


def _footer(fiche: Fiche, path: str, site_url: str | None) -> str:
    url = dataset_url(site_url, fiche.id)
    page = f"[de pagina van de dataset]({url})" if url else "de pagina van de dataset"
    return (
        f"Meer uitleg en de geschiedenis staan op {page}; de fiche is `{path}`.\n\n"
        "_Dit issue wordt bijgehouden door `datapedia issues sync`: er komt een reactie "
        "bij als de diagnose verandert (en ten laatste na een week een herinnering), en "
        "het wordt gesloten zodra de dataset hersteld is. Met het label `gedempt` (of "
        "`gedempt tot JJJJ-MM-DD`) blijft het stil. Sluit je het terwijl het probleem "
        "blijft, dan gaat het pas weer open als de diagnose verandert._"
    )


def issue_title(fiche: Fiche, diagnosis: Diagnosis) -> str:
    title = f"Probleem met {fiche.title} ({fiche.id}): {_labels(failing_dimensions(diagnosis))}"
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def issue_body(fiche: Fiche, path: str, diagnosis: Diagnosis, site_url: str | None) -> str:
    failing = failing_dimensions(diagnosis)
    return "\n".join(
        [
            DATASET_MARKER.format(fiche.id),
            _markers(diagnosis, state_key(diagnosis)),
            f"De controle van {format_time(diagnosis.checked_at)} vond een probleem met "
            f"**{github_text(fiche.title)}** (`{fiche.id}`) op: {_labels(failing)}.",
            "",
            _owner_line(fiche),
            "",
            _evidence(diagnosis, failing),
            "",
            _footer(fiche, path, site_url),
        ]
    )


def still_failing_comment(diagnosis: Diagnosis, now: datetime, changed: bool = True) -> str:
    failing = failing_dimensions(diagnosis)
    lead = "Het probleem is veranderd" if changed else "Herinnering: nog steeds een probleem"
    return "\n".join(
        [
            _markers(diagnosis, state_key(diagnosis)),
            f"{lead} bij de controle van {format_time(diagnosis.checked_at)} "
            f"(gesynchroniseerd {format_time(now)}): {_labels(failing)}.",
            "",
            _evidence(diagnosis, failing),
        ]
    )


def recovered_comment(diagnosis: Diagnosis) -> str:
    return (
        f"{_markers(diagnosis, RECOVERED_STATE)}\n"
        f"Hersteld: bij de controle van {format_time(diagnosis.checked_at)} faalt geen enkele "
        f"dimensie meer (globaal oordeel: {diagnosis.overall.label}). Dit issue wordt gesloten."
    )


def removed_comment(fiche_id: str) -> str:
    return (
        f"De fiche `{fiche_id}` bestaat niet meer in de catalogus; dit issue wordt gesloten. "
        "Heropen het als de dataset terugkomt."
    )


def night_report(incomplete: dict, checked_at: str) -> str:
    """What an incomplete night lacked, with its markers: a comment on the night's issue."""
    missing = ", ".join(str(i) for i in incomplete.get("missing_shards", []))
    ids = incomplete.get("not_rechecked", [])
    shown = ", ".join(f"`{i}`" for i in ids[:NIGHT_IDS_SHOWN])
    shown += " …" if len(ids) > NIGHT_IDS_SHOWN else ""
    return "\n".join(
        [
            report_markers(checked_at, night_state(incomplete)),
            f"De nachtelijke controle van {checked_at} was onvolledig. Zonder resultaat "
            f"(zie de run van die nacht): shard {missing}. Wat de andere shards maten, is "
            "bewaard.",
            "",
            f"Niet opnieuw gecontroleerd, met hun vorige diagnose: "
            f"{words.count(len(ids), 'dataset')}: {shown or 'geen'}.",
            "",
            "_Dit issue wordt gesloten zodra een nacht weer volledig is._",
        ]
    )


def night_body(incomplete: dict, checked_at: str) -> str:
    """The night's issue: its marker, then the report."""
    return f"{NIGHT_MARKER}\n{night_report(incomplete, checked_at)}"


def night_complete_comment(checked_at: str) -> str:
    return (
        f"{CHECKED_MARKER.format(checked_at)}\nDe controle van {checked_at} was "
        "weer volledig; dit issue wordt gesloten."
    )
