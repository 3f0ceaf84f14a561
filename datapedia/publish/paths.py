"""Where the generated pages live inside ``site/generated/`` and what their names look like.

Every step that links to a page (the site, the catalogue, GitHub reports) asks here, so
a page's address is written once.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

GENERATED = Path("site") / "generated"
MANIFEST = ".manifest.json"

# Where each kind of page lives inside site/generated/ (mkdocs builds *.md to *.html).
DATASETS, PLOTS, THEMES, OWNERS, FRAGMENTS = "datasets", "plots", "themas", "eigenaars", "fragments"
CITIES, MAPS, THEME_DIR = "steden", "kaarten", "theme"
# Where fiches, issues and the issue form live; the nightly job sets GITHUB_REPOSITORY.
DEFAULT_REPOSITORY = "datapedia-vlaanderen/datapedia"
# Below this many pages to (re)write, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 200


def dataset_page(fiche_id: str) -> str:
    """A dataset page's path from the site root (mkdocs, ``use_directory_urls: false``)."""
    return f"{GENERATED.name}/{DATASETS}/{fiche_id}.html"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def unique_slug(name: str, taken) -> str:
    """``slug(name)``, numbered ("-2", "-3", ...) past the slugs already ``taken``."""
    base = slug(name)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
