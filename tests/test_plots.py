"""The history picture: a hand-written SVG, deterministic, accessible and self-contained."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from defusedxml.ElementTree import fromstring

from datapedia.model.results import Status
from datapedia.publish import plots
from datapedia.store.checks import HistoryEntry

NS = "{http://www.w3.org/2000/svg}"
# Midnight, as render passes it (the window ends at midnight after the build's `now`).
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def entry(when: datetime, reachable: bool | None = True, newest: datetime | None = None):
    return HistoryEntry(
        checked_at=when,
        overall=Status.ok,
        dimensions={},
        reachable=reachable,
        newest=newest,
    )


def nights(count: int = 90, age: timedelta = timedelta(hours=3)) -> list[HistoryEntry]:
    """One check a night at 02:00 for the last `count` days, the newest value `age` old."""
    times = [NOW - timedelta(days=d) + timedelta(hours=2) for d in range(count, 0, -1)]
    return [entry(when, newest=when - age) for when in times]


def cells(svg: bytes) -> dict[str, str]:
    """Tooltip text -> fill colour of every day cell."""
    root = fromstring(svg)
    found = root.findall(f".//{NS}rect[@class='dag']")
    return {rect.find(f"{NS}title").text: rect.get("fill") for rect in found}


def test_same_input_gives_the_same_bytes_and_well_formed_accessible_svg():
    history = nights()
    svg = plots.history_svg(history, NOW, timedelta(days=1))
    assert svg == plots.history_svg(list(history), NOW, timedelta(days=1))
    root = fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    # Explicit size as well as a viewBox: Chromium gives an <img> of an SVG without
    # width/height a naturalWidth of 0.
    assert (root.get("width"), root.get("height")) == ("800", "350")
    assert root.get("viewBox") == "0 0 800 350"
    assert root.find(f"{NS}title").text.startswith("Geschiedenis van de laatste 90 dagen")
    desc = root.find(f"{NS}desc").text
    assert desc == (
        "Beschikbaarheid 30 dagen: 100%; nieuwste waarneming 3 uur oud bij de laatste "
        "controle (23-11-2026). Globaal in orde sinds 26-08."
    )


def test_one_cell_per_day_and_grey_for_days_without_a_check():
    history = [h for h in nights() if h.checked_at.day != 1]  # no check on the 1st
    found = cells(plots.history_svg(history, NOW))
    assert len(found) == 90
    assert found["01-11-2026: geen meting"] == "#e0e0e0"
    assert found["23-11-2026: 100% bruikbare antwoorden"] == "#2e7d32"
    assert "26-08-2026: 100% bruikbare antwoorden" in found  # first day of the window
    assert len(cells(plots.history_svg(history, NOW, days=30))) == 30


def test_a_day_with_half_of_the_checks_failing_is_red_with_its_percentage():
    day = NOW - timedelta(days=5)
    history = sorted(
        [*nights(), entry(day + timedelta(hours=20), reachable=False)],
        key=lambda h: h.checked_at,
    )
    found = cells(plots.history_svg(history, NOW))
    assert found["19-11-2026: 50% bruikbare antwoorden"] == "#c62828"
    assert (
        "Beschikbaarheid 30 dagen: 96,8%"
        in fromstring(plots.history_svg(history, NOW)).find(f"{NS}desc").text
    )  # 30 of 31 checks


def test_orange_between_the_fail_and_warn_thresholds():
    day = NOW - timedelta(days=3)
    history = [entry(day + timedelta(minutes=m), reachable=m != 0) for m in range(20)]
    assert (
        cells(plots.history_svg(history, NOW))["21-11-2026: 95% bruikbare antwoorden"] == "#ef6c00"
    )


def test_stale_lines_only_when_the_interval_is_known():
    history = nights()
    with_interval = fromstring(plots.history_svg(history, NOW, timedelta(hours=2)))
    lines = with_interval.findall(f".//{NS}line[@class='drempel']")
    assert [line.get("stroke") for line in lines] == ["#ef6c00", "#c62828"]
    # 2x and 4x two hours: the fail line (8 h) sits twice as high above 0 as the warn line.
    zero = float(with_interval.find(f".//{NS}line[@stroke='#757575']").get("y1"))
    warn, fail = (zero - float(line.get("y1")) for line in lines)
    assert fail == pytest.approx(2 * warn, abs=0.1)
    legend = [t.text for t in with_interval.findall(f".//{NS}g[@class='legende']/{NS}text")]
    assert "aandacht: 2× het verversingsinterval" in legend

    without = fromstring(plots.history_svg(history, NOW))
    assert without.findall(f".//{NS}line[@class='drempel']") == []
    assert len(without.find(f".//{NS}polyline").get("points").split()) == 90


def test_ages_without_a_timestamp_say_so():
    history = [entry(h.checked_at) for h in nights(10)]
    svg = plots.history_svg(history, NOW, timedelta(hours=1))
    assert "geen tijdstip in de data" in svg.decode()
    root = fromstring(svg)
    assert root.find(f".//{NS}polyline") is None
    assert root.findall(f".//{NS}line[@class='drempel']") == []
    assert "; geen tijdstip in de data. Globaal in orde sinds" in root.find(f"{NS}desc").text


def axis(svg: bytes) -> tuple[list[str], str]:
    root = fromstring(svg)
    labels = [t.text for t in root.findall(f".//{NS}g[@text-anchor='end']/{NS}text")]
    unit = [t.text for t in root.findall(f"{NS}text") if t.get("transform")]
    return labels, unit[0]


def test_age_axis_has_round_tick_labels_in_the_unit_that_fits():
    labels, unit = axis(plots.history_svg(nights(age=timedelta(hours=30)), NOW))
    assert (labels[3:], unit) == (["0", "10", "20", "30"], "uur")
    labels, unit = axis(plots.history_svg(nights(age=timedelta(hours=230)), NOW))
    assert labels == ["0%", "50%", "100%", "0", "2", "4", "6", "8", "10"]
    assert unit == "dagen"
    # DOV's archive: 23 years, not 200,000 hours.
    labels, unit = axis(plots.history_svg(nights(age=timedelta(days=23 * 365)), NOW))
    assert (labels[3:], unit) == (["0", "5", "10", "15", "20", "25"], "jaar")
    assert plots._ticks(0.7) == ([0.0, 0.2, 0.4, 0.6, 0.8], 1)
    assert plots._ticks(2160) == ([0, 500, 1000, 1500, 2000, 2500], 0)


def test_a_down_day_is_a_visible_block_and_the_alt_text_names_the_timeline():
    history = nights(10)
    history[-3] = entry(history[-3].checked_at, reachable=False)
    root = fromstring(plots.history_svg(history, NOW))
    down = [r for r in root.findall(f".//{NS}rect[@class='dag']") if ": 0% " in r[0].text]
    assert len(down) == 1 and float(down[0].get("height")) >= 15
    failing = [
        HistoryEntry(
            checked_at=h.checked_at,
            overall=Status.fail if i > 6 else Status.ok,
            dimensions={},
            reachable=True,
        )
        for i, h in enumerate(nights(10))
    ]
    assert plots.history_alt(failing, NOW).endswith("Globaal probleem sinds 21-11.")


def test_nothing_in_the_window_gives_none():
    assert plots.history_svg([], NOW) is None
    old = [entry(NOW - timedelta(days=91))]
    assert plots.history_svg(old, NOW) is None
    assert plots.window(old, NOW) == []


def test_self_contained_no_script_and_no_external_reference():
    svg = plots.history_svg(nights(), NOW, timedelta(days=1)).decode()
    assert "<script" not in svg
    assert "href" not in svg and "@import" not in svg and "@font-face" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "url(" not in svg.replace("url(#dp-punt)", "")


def test_daily_uptime_groups_by_utc_day():
    brussels = timezone(timedelta(hours=1))
    history = [
        entry(datetime(2026, 11, 20, 0, 30, tzinfo=brussels)),  # 19-11 23:30 UTC
        entry(datetime(2026, 11, 20, 9, 0, tzinfo=brussels), reachable=False),
        entry(datetime(2026, 11, 20, 10, 0, tzinfo=brussels), reachable=None),  # all skipped
    ]
    assert plots.daily_uptime(history) == [
        (datetime(2026, 11, 19, tzinfo=UTC), 100.0),
        (datetime(2026, 11, 20, tzinfo=UTC), 0.0),
    ]


def test_status_timeline_has_a_cell_per_day_with_that_days_last_status():
    history = nights(10)
    history[-1] = HistoryEntry(
        checked_at=history[-1].checked_at, overall=Status.fail, dimensions={}, reachable=True
    )
    root = fromstring(plots.history_svg(history, NOW))
    states = {
        r.find(f"{NS}title").text: r.get("fill")
        for r in root.findall(f".//{NS}rect[@class='oordeel']")
    }
    assert len(states) == 90
    assert states["23-11-2026: probleem"] == "#c62828"
    assert states["22-11-2026: in orde"] == "#2e7d32"
    assert states["01-11-2026: geen controle"] == "#e0e0e0"
