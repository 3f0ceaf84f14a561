"""The theme overrides the render writes: the stale-data banner, a Dutch 404, a named search.

Only dates and fixed words go in (no fiche text): these files are theme templates,
which mkdocs renders without our escaping.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import material

from datapedia.model.words import duration
from datapedia.publish.pages import day_text

# mkdocs-material's search partial, named in our theme override (see search_partial).
THEME_SEARCH = Path(material.__file__).parent / "templates" / "partials" / "search.html"

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


def search_version() -> str:
    """Changes with the installed theme's search partial (an input of ours)."""
    return hashlib.sha256(THEME_SEARCH.read_bytes()).hexdigest()


def search_partial() -> str:
    """The theme's search box with a name for its dialog (axe: aria-dialog-name, serious)."""
    text = THEME_SEARCH.read_text(encoding="utf-8")
    named = text.replace('role="dialog"', 'role="dialog" aria-label="Zoeken"', 1)
    if named == text:
        raise ValueError(f"{THEME_SEARCH}: geen role=dialog meer; pas search_partial aan")
    return named


def main_override(newest_check: datetime | None, now: datetime, stale: bool) -> str:
    """mkdocs-material's main.html with a site-wide banner when the data is old."""
    banner = ""
    if stale and newest_check is not None:
        banner = (
            '<p class="dp-banner" id="dp-verouderd" role="alert"><strong>Let op: verouderde '
            f"gegevens.</strong> De nieuwste controle is van {day_text(newest_check)}"
            f" ({duration(now - newest_check)} geleden). De nachtelijke "
            "controle liep sindsdien niet; wat hier staat, kan niet meer kloppen.</p>"
        )
    return (
        '{% extends "base.html" %}\n'
        "{# Written by datapedia render: the banner says when the newest check is old. #}\n"
        f"{{% block announce %}}{banner}{{% endblock %}}\n"
    )
