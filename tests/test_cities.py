"""Centrumsteden: boundaries with the 2025 merger, positions the probes read, cells, map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from defusedxml.ElementTree import fromstring
from localserver import real_payload

from datapedia.model.fiche import Distribution
from datapedia.model.results import Diagnosis, EndpointObservation, UnitObservation
from datapedia.model.thresholds import THRESHOLDS
from datapedia.probe.adapters import ParseContext, adapter_for
from datapedia.publish import cities, maps

TELRAAM_NOW = datetime(2023, 12, 10, 6, 0, tzinfo=UTC)  # the morning of the recording


def parse(protocol: str, payload: str, now: datetime, **fields):
    dist = Distribution(
        title="t", protocol=protocol, url="https://example.org/f", format="x/y", **fields
    )
    ctx = ParseContext(now=now, thresholds=THRESHOLDS)
    return adapter_for(protocol).parse(real_payload(payload), dist, ctx)


def test_thirteen_centrumsteden_and_hasselt_includes_kortessem():
    shapes = cities.city_shapes()
    assert list(shapes) == list(cities.CENTRUMSTEDEN) and len(shapes) == 13
    # Kortessem's centre (2019: its own municipality) lies in Hasselt since 2025.
    assert cities.city_of(5.39, 50.86) == "Hasselt"
    assert cities.city_of(5.3378, 50.9307) == "Hasselt"  # Hasselt's market square
    assert cities.city_of(3.7250, 51.0543) == "Gent"
    assert cities.city_of(4.7005, 50.8798) == "Leuven"
    # Borgloon merged with Tongeren, which is no centrumstad; Brussels is not Flemish.
    assert cities.city_of(5.3436, 50.8027) is None
    assert cities.city_of(4.3517, 50.8466) is None


def test_dov_wfs_position_is_lambert72_converted_to_wgs84():
    content = parse("wfs", "dov/wfsgetfeature.xml", datetime(2026, 11, 23, tzinfo=UTC))
    (unit,) = content.units
    # <gml:pos>142731 164564</gml:pos> in EPSG:31370 (Lambert 72).
    assert (unit.lon, unit.lat) == pytest.approx((4.26566, 50.79150), abs=1e-5)
    assert unit.newest == content.newest


def test_dov_xml_location_in_lambert72_with_heights_is_converted():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    (unit,) = parse("dov-xml", "dov/grondwaterfilter.xml", now).units
    # <gml:Point srsName="urn:ogc:def:crs:EPSG::6190"> 142731.0 164564.0 23.99: the same
    # well as the WFS feature above, so the same place.
    assert (unit.lon, unit.lat) == pytest.approx((4.26566, 50.79150), abs=1e-5)
    assert unit.newest == datetime(2003, 7, 20, tzinfo=UTC)
    (empty,) = parse("dov-xml", "dov/grondwaterfilter_geenpeilmeting.xml", now).units
    assert empty.newest is None


def test_telraam_and_kiwis_keep_each_units_position_and_newest_time():
    telraam = parse("telraam", "telraam/traffic_snapshot_live.json", TELRAAM_NOW)
    assert len(telraam.units) == telraam.units_total == 5000
    first = telraam.units[0]
    assert first.id == "24948"
    assert (first.lon, first.lat) == pytest.approx((4.47577, 51.30211), abs=1e-5)
    assert first.newest == datetime(2023, 10, 24, 18, 53, 50, 368700, tzinfo=UTC)
    kiwis = parse("kiwis", "waterinfo/getTimeseriesValueLayer.json", TELRAAM_NOW)
    by_id = {u.id: u for u in kiwis.units}
    assert len(by_id) == 8 and by_id["ME05_019"].lat == pytest.approx(50.86149, abs=1e-5)


def _diagnosis(units: list[UnitObservation], checked_at: datetime) -> Diagnosis:
    """As the judge stores it: the probe's units, of which only those with a position stay."""
    endpoint = EndpointObservation(
        distribution=0, title="t", protocol="json", url="https://example.org", units=units
    )
    return Diagnosis.build("x", checked_at, {}, [endpoint])


def test_the_stored_diagnosis_keeps_only_units_with_a_position_rounded():
    units = [
        UnitObservation(id="a", lon=3.7251234567, lat=51.0541234567),
        UnitObservation(id="b"),  # no position in the data
    ]
    (endpoint,) = _diagnosis(units, TELRAAM_NOW).endpoints
    assert endpoint.units is None
    assert [(u.id, u.lon, u.lat) for u in endpoint.unit_positions] == [("a", 3.72512, 51.05412)]


def test_cells_count_units_inside_and_fresh_by_the_declared_interval():
    now = TELRAAM_NOW
    units = [
        UnitObservation(id="a", lon=3.725, lat=51.054, newest=now - timedelta(minutes=30)),  # Gent
        UnitObservation(id="b", lon=3.73, lat=51.05, newest=now - timedelta(hours=3)),  # Gent, old
        UnitObservation(id="c", lon=3.72, lat=51.06, newest=None),  # Gent, never reported
        UnitObservation(id="d", lon=4.70, lat=50.88, newest=now),  # Leuven
        UnitObservation(id="e", lon=5.34, lat=50.80, newest=now),  # Borgloon: no centrumstad
    ]
    placed = cities.placed_units(_diagnosis(units, now), timedelta(hours=2))
    cells = cities.city_cells(placed)
    assert cells["Gent"] == cities.CityCell(inside=3, fresh=1)  # a 2 h window: "b" is stale
    assert cells["Leuven"] == cities.CityCell(inside=1, fresh=1)
    assert sum(c.inside for c in cells.values()) == 4
    # A wider window (the judge's, for a slower dataset) makes "b" fresh as well.
    wider = cities.placed_units(_diagnosis(units, now), timedelta(hours=4))
    assert cities.city_cells(wider)["Gent"].fresh == 2
    assert cities.placed_units(None, timedelta(hours=1)) == []


def test_map_is_a_self_contained_svg_with_units_coloured_and_an_alt_text():
    now = TELRAAM_NOW
    units = [
        UnitObservation(id="a", lon=3.725, lat=51.054, newest=now),
        UnitObservation(id="b", lon=4.70, lat=50.88, newest=now - timedelta(days=30)),
        UnitObservation(id="far", lon=-74.0, lat=40.7, newest=now),  # New York: not drawn
    ]
    svg = maps.map_svg(cities.placed_units(_diagnosis(units, now), timedelta(hours=2)), "X <b>")
    root = fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("width") is None and root.get("viewBox").startswith("0 0 600")
    dots = [c.get("fill") for c in root.findall(f"{ns}circle")][:-2]  # minus the legend
    assert sorted(dots) == sorted(["#2e7d32", "#c62828"])
    title = root.find(f"{ns}title").text
    assert "2 meetpunten van X <b>: 1 met verse data" in title
    assert b"<b>" not in svg and b"http" not in svg.replace(b"http://www.w3.org/2000/svg", b"")
    assert len(root.findall(f"{ns}text")) >= 13  # every centrumstad is named


def test_positions_outside_the_fiche_area_are_not_stored():
    """Telraam lists segments worldwide: only those in the fiche's area count and are kept."""
    from datetime import UTC, datetime

    from datapedia.model.results import Diagnosis, EndpointObservation, UnitObservation

    units = [
        UnitObservation(id="gent", lon=3.72, lat=51.05),
        UnitObservation(id="parijs", lon=2.35, lat=48.86),
        UnitObservation(id="zonder-plaats"),
    ]
    endpoint = EndpointObservation(
        distribution=0, title="T", protocol="telraam", url="x", units=units
    )
    now = datetime(2026, 11, 25, tzinfo=UTC)
    flanders = [2.54, 50.68, 5.92, 51.51]
    kept = Diagnosis.build("t", now, {}, [endpoint], area=flanders).endpoints[0].unit_positions
    assert [u.id for u in kept] == ["gent"]
    everywhere = Diagnosis.build("t", now, {}, [endpoint]).endpoints[0].unit_positions
    assert [u.id for u in everywhere] == ["gent", "parijs"]
