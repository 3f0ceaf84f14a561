"""The map on a dataset page: Flanders with the dataset's units and the centrumsteden.

Hand-written SVG like the history pictures; only numbers, fixed colours and escaped
names go in, so the picture works as an ``<img>``.
"""

from __future__ import annotations

from markupsafe import escape

from datapedia.publish import cities
from datapedia.publish.plots import GREEN, RED, coord

_MAP_COLOURS = {True: GREEN, False: RED}


def prepare() -> None:
    """Read the boundaries and draw the fixed map now (before workers are forked)."""
    cities.base_paths()
    cities.city_of(0.0, 0.0)


def map_svg(placed: list[cities.Placed], title: str) -> bytes:
    """Flanders with the dataset's units (green: fresh, red: not) and the centrumsteden."""
    outline, city_paths, labels = cities.base_paths()
    width, height = cities.MAP_WIDTH, cities.map_height()
    shown = [p for p in placed if cities.in_frame(p.unit)]
    fresh = sum(p.fresh for p in shown)
    summary = (
        f"Kaart van Vlaanderen met {len(shown)} meetpunten van {title}: {fresh} met verse data "
        f"(groen), {len(shown) - fresh} zonder (rood). De 13 centrumsteden zijn omlijnd."
    )
    dots = []
    # Stale units first, so fresh ones are drawn on top where they overlap.
    for p in sorted(shown, key=lambda p: p.fresh):
        x, y = cities.project(p.unit.lon, p.unit.lat)
        dots.append(
            f'<circle cx="{coord(x)}" cy="{coord(y)}" r="2.5" fill="{_MAP_COLOURS[p.fresh]}"/>'
        )
    cities_svg = "".join(
        f'<path d="{path}" fill="none" stroke="#212121" stroke-width="1"/>'
        for path in city_paths.values()
    )
    names = "".join(
        f'<text x="{coord(x)}" y="{coord(y - 6)}" text-anchor="middle" stroke="#fff" '
        f'stroke-width="3" paint-order="stroke">{escape(city)}</text>'
        for city, (x, y) in labels.items()
    )
    legend_y = height + 18
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {coord(width)} {coord(height + 28)}" '
        f'role="img" aria-labelledby="dp-kaart-titel" font-family="sans-serif" font-size="11" '
        f'fill="#212121"><title id="dp-kaart-titel">{escape(summary)}</title>'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<path d="{outline}" fill="#f5f5f5" stroke="#757575" stroke-width="0.8"/>'
        f"{cities_svg}{''.join(dots)}{names}"
        f'<circle cx="12" cy="{coord(legend_y - 3)}" r="4" fill="{GREEN}"/>'
        f'<text x="20" y="{coord(legend_y)}">verse data ({fresh})</text>'
        f'<circle cx="132" cy="{coord(legend_y - 3)}" r="4" fill="{RED}"/>'
        f'<text x="140" y="{coord(legend_y)}">geen verse data ({len(shown) - fresh})</text>'
        f"</svg>\n"
    ).encode()
