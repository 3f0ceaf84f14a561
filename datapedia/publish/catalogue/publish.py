"""Write the catalogue next to the built site.

``catalog.ttl``/``catalog.jsonld`` hold everything; ``catalogus/<id>.ttl``/``.jsonld``
one dataset (with the quality model, so each file stands alone);
``historiek/<id>.json`` the last 90 days of checks. Each dataset page gets
``<link rel="alternate">`` to its files and its JSON-LD inline, for crawlers that
read only the HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from rdflib import Graph

from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis
from datapedia.publish.catalogue.dcat import (
    CATALOG_FILE,
    DATASET_FOLDER,
    add_quality_model,
    catalog_graph,
    site_base,
)
from datapedia.publish.paths import PARALLEL_MIN_PAGES, dataset_page
from datapedia.store.checks import HistoryEntry
from datapedia.util.files import atomic_write
from datapedia.util.parallel import fork_map

HISTORY_FOLDER = "historiek"
HISTORY_DAYS = 90
# Below this many datasets, starting workers costs more than it saves (as for pages).
PARALLEL_MIN_DATASETS = PARALLEL_MIN_PAGES
_HEAD_END = re.compile(r"</head>", re.I)
_MARKER = "<!-- datapedia-catalogus -->"


def history_document(fiche_id: str, history: list[HistoryEntry]) -> dict:
    """The checks of the 90 days up to the newest one (no clock: the data sets the end)."""
    if not history:
        return {"id": fiche_id, "days": HISTORY_DAYS, "checks": []}
    end = max(h.checked_at for h in history)
    start = end - timedelta(days=HISTORY_DAYS)
    kept = [h for h in history if h.checked_at > start]
    return {
        "id": fiche_id,
        "days": HISTORY_DAYS,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "checks": [h.model_dump(mode="json") for h in kept],
    }


def _serialise(graph: Graph, out: Path, stem: str) -> bytes:
    atomic_write(out / f"{stem}.ttl", graph.serialize(format="turtle").encode())
    jsonld = graph.serialize(format="json-ld", indent=2).encode()
    atomic_write(out / f"{stem}.jsonld", jsonld)
    return jsonld


def head_tags(fiche_id: str, page_depth: int, jsonld: bytes) -> str:
    up = "../" * page_depth
    # "</script>" or "<!--" inside a <script> would end or upset it: no "<" at all
    # (JSON reads "\u003c" as the same character).
    inline = json.dumps(json.loads(jsonld), ensure_ascii=False).replace("<", "\\u003c")
    return (
        f"{_MARKER}\n"
        f'<link rel="alternate" type="text/turtle" href="{up}{DATASET_FOLDER}/{fiche_id}.ttl">\n'
        f'<link rel="alternate" type="application/ld+json" '
        f'href="{up}{DATASET_FOLDER}/{fiche_id}.jsonld">\n'
        f'<script type="application/ld+json">{inline}</script>\n'
    )


def _link_page(out: Path, fiche_id: str, jsonld: bytes) -> None:
    page = out / dataset_page(fiche_id)
    if not page.exists():
        return
    html = page.read_text(encoding="utf-8")
    if _MARKER in html:  # mkdocs rewrote nothing since the last time
        return
    tags = head_tags(fiche_id, dataset_page(fiche_id).count("/"), jsonld)
    html = _HEAD_END.sub(lambda m: tags + m.group(0), html, count=1)
    atomic_write(page, html.encode())


def write_catalogue(
    out: Path,
    fiches: list[Fiche],
    diagnoses: dict[str, Diagnosis],
    histories: Iterable[tuple[str, list[HistoryEntry]]],
    site_url: str | None,
) -> None:
    parts: dict[str, Graph] = {}
    graph = catalog_graph(fiches, diagnoses, site_url, parts)
    _serialise(graph, out, CATALOG_FILE.removesuffix(".ttl"))
    for folder in (DATASET_FOLDER, HISTORY_FOLDER):
        for stale in (out / folder).glob("*"):
            stale.unlink()
    base = site_base(site_url)
    for part in parts.values():
        add_quality_model(part, base)

    def write_dataset(fiche_id: str) -> None:
        jsonld = _serialise(parts[fiche_id], out / DATASET_FOLDER, fiche_id)
        _link_page(out, fiche_id, jsonld)

    fork_map(write_dataset, list(parts), PARALLEL_MIN_DATASETS)
    for fiche_id, history in histories:
        document = history_document(fiche_id, history)
        atomic_write(
            out / HISTORY_FOLDER / f"{fiche_id}.json",
            json.dumps(document, ensure_ascii=False, indent=1).encode() + b"\n",
        )
