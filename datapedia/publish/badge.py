"""Shields-style SVG status badges, drawn locally (no badge service, no network)."""

from __future__ import annotations

from html import escape

from datapedia.model.results import Status

COLOURS = {
    Status.ok: "#2e7d32",
    Status.warn: "#b45309",
    Status.fail: "#b71c1c",
    Status.unknown: "#616161",
}
_CHAR_WIDTH = 6.5  # average width of an 11px Verdana glyph, enough for a stable layout


def _width(text: str) -> int:
    return int(len(text) * _CHAR_WIDTH) + 10


def status_badge(label: str, status: Status | str) -> str:
    """A two-part badge "label | status in Dutch"; text is escaped, colour follows the status."""
    status = Status(status)
    value = status.label
    left, right = _width(label), _width(value)
    total = left + right
    label_e, value_e = escape(label, quote=True), escape(value, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{label_e}: {value_e}">'
        f"<title>{label_e}: {value_e}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{COLOURS[status]}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{label_e}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{value_e}</text>'
        "</g></svg>\n"
    )
