"""Each protocol adapter against the real recorded payloads and the shapes the services send."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from localserver import real_payload

from datapedia.model.fiche import Distribution, Protocol
from datapedia.model.thresholds import THRESHOLDS
from datapedia.probe.adapters import ADAPTERS, ParseContext, ParseError, adapter_for
from datapedia.probe.adapters.common import (
    Timestamps,
    gaps,
    parse_timestamp,
)

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
CTX = ParseContext(now=NOW, thresholds=THRESHOLDS)
CEST = timezone(timedelta(hours=2))


def dist(protocol: str, **fields) -> Distribution:
    return Distribution(
        title="test", protocol=protocol, url="https://example.org/feed", format="x/y", **fields
    )


def parse(protocol: str, body: bytes | str, ctx: ParseContext = CTX, **fields):
    data = body.encode() if isinstance(body, str) else body
    return adapter_for(protocol).parse(data, dist(protocol, **fields), ctx)


def test_every_protocol_has_an_adapter():
    assert set(ADAPTERS) == set(Protocol)
    assert adapter_for("html").method == "HEAD" and adapter_for("kiwis").method == "GET"


# --- shared helpers -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected", "naive"),
    [
        ("2017-10-28T17:30:00.000+02:00", datetime(2017, 10, 28, 15, 30, tzinfo=UTC), False),
        (
            "2023-10-24 18:53:50.368700+00:00",
            datetime(2023, 10, 24, 18, 53, 50, 368700, UTC),
            False,
        ),
        ("2024-01-01T10:00:00Z", datetime(2024, 1, 1, 10, tzinfo=UTC), False),
        ("2024-01-01T10:00:00", datetime(2024, 1, 1, 10, tzinfo=UTC), True),
        ("2003-07-20", datetime(2003, 7, 20, tzinfo=UTC), False),
        ("2019/10/17 11:13:00", datetime(2019, 10, 17, 11, 13, tzinfo=UTC), True),
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC), False),
        (1700000000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC), False),
    ],
)
def test_parse_timestamp(value, expected, naive):
    assert parse_timestamp(value) == (expected, naive)


@pytest.mark.parametrize("value", [None, "", "gisteren", True])
def test_parse_timestamp_rejects(value):
    assert parse_timestamp(value) == (None, False)


def test_parse_timestamp_with_format_and_assumed_zone():
    moment, naive = parse_timestamp("23-11-2026 07:00", "%d-%m-%Y %H:%M", CEST)
    assert moment == datetime(2026, 11, 23, 5, tzinfo=UTC) and not naive


def test_future_timestamps_are_counted_not_used_as_newest():
    # The probe only measures: after `now` is future; the judge decides what is skew.
    times = Timestamps(CTX)
    times.add("2026-11-23T05:00:00Z")
    times.add("2026-11-23T06:05:00Z")
    times.add("2026-11-23T07:00:00Z")
    times.add("2099-01-01T00:00:00Z")
    assert times.newest == datetime(2026, 11, 23, 5, tzinfo=UTC)
    assert times.future == 3
    assert sorted(times.future_offsets)[:2] == [300.0, 3600.0]


def test_gaps_use_distinct_sorted_times():
    assert gaps([0, 900, 900, 1800, 5400]) == (3600, 900)
    assert gaps([5]) == (None, None)


# --- KiWIS --------------------------------------------------------------------------------
def test_kiwis_value_layer_real():
    content = parse("kiwis", real_payload("waterinfo/getTimeseriesValueLayer.json"))
    # the file's true maximum is ME04_001 at 17:45, not the first row's 17:30
    assert content.newest == datetime(2017, 10, 28, 17, 45, tzinfo=CEST)
    assert content.oldest == datetime(2017, 10, 28, 12, 30, tzinfo=CEST)
    assert (content.records, content.units_total, content.units_reporting) == (8, 8, 8)
    west, south, east, north = content.bbox
    assert 2.9 < west < east < 5.5 and 50.7 < south < north < 51.3
    assert content.sample[0]["station_no"] == "ME09_012" and len(content.sample) == 8
    assert content.largest_gap_s is None  # one value per station is not a series


def test_kiwis_value_layer_counts_only_stations_with_a_timestamp():
    body = json.dumps(
        [
            {"station_no": "A", "timestamp": "2026-11-23T05:45:00.000+01:00"},
            {"station_no": "B", "timestamp": None},
            {"station_no": "C", "timestamp": ""},
        ]
    )
    content = parse("kiwis", body)
    assert (content.units_total, content.units_reporting) == (3, 1)


def test_kiwis_values_real():
    content = parse("kiwis", real_payload("waterinfo/getTimeseriesValues.json"))
    assert (content.records, content.total_records) == (97, 97)
    assert content.oldest == datetime(2017, 4, 1, 2, tzinfo=CEST)
    assert content.newest == datetime(2017, 4, 2, 2, tzinfo=CEST)
    assert (content.largest_gap_s, content.median_step_s) == (900.0, 900.0)
    assert set(content.sample[0]) == {"Timestamp", "Value", "Quality Code", "ts_id"}
    assert content.sample[0]["Value"] == 1008.8


def test_kiwis_values_gap_is_measured():
    rows = [[f"2026-11-23T0{h}:00:00Z", 1.0] for h in (0, 1, 2, 5)]
    body = json.dumps([{"ts_id": "1", "columns": "Timestamp,Value", "data": rows}])
    content = parse("kiwis", body)
    assert (content.largest_gap_s, content.median_step_s) == (3 * 3600, 3600)


def test_kiwis_list_real():
    content = parse("kiwis", real_payload("waterinfo/getTimeseriesList.json"))
    assert content.records == 175 and content.units_total == 1
    assert content.sample[0]["ts_name"] == "KalJaarMin" and content.newest is None


def test_kiwis_error_object():
    body = '{"type": "error", "code": "InvalidParameterValue", "message": "No match for ts_id"}'
    with pytest.raises(ParseError, match="No match for ts_id"):
        parse("kiwis", body)


def test_malformed_json_is_a_parse_error():
    with pytest.raises(ParseError, match="geen geldige JSON"):
        parse("kiwis", '[{"timestamp": "2026-')


# --- WFS ----------------------------------------------------------------------------------
def test_wfs_real_dov_filter():
    content = parse(
        "wfs",
        real_payload("dov/wfsgetfeature.xml"),
        timestamp_field="peilmetingen_tot",
        id_field="GW_ID",
    )
    assert content.newest == datetime(2003, 7, 20, tzinfo=UTC)
    assert (content.total_records, content.records) == (1, 1)
    assert (content.units_total, content.units_reporting) == (1, 1)
    assert content.sample[0]["GW_ID"] == "ZUVP003"
    assert content.sample[0]["aantal_dagen_sinds_laatste_meting"] == "8191"
    assert content.bbox is None  # Lambert 72, not WGS84
    assert content.notes == []


def test_wfs_real_without_measurements():
    content = parse(
        "wfs",
        real_payload("dov/wfsgetfeature_geenpeilmeting.xml"),
        timestamp_field="peilmetingen_tot",
    )
    assert content.parsed and content.newest is None and content.records == 1
    assert (content.units_total, content.units_reporting) == (1, 0)


WFS_WGS84 = """<?xml version="1.0"?>
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0"
  xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:x="urn:x" numberMatched="250" numberReturned="2">
 <wfs:member><x:telpunt gml:id="a"><x:id>1</x:id><x:laatst>2026-11-23T05:00:00+01:00</x:laatst>
  <x:geom><gml:Point srsName="urn:ogc:def:crs:EPSG::4326">
   <gml:pos>51.05 3.72</gml:pos></gml:Point></x:geom>
 </x:telpunt></wfs:member>
 <wfs:member><x:telpunt gml:id="b"><x:id>2</x:id><x:laatst/>
  <x:geom><gml:Point srsName="urn:ogc:def:crs:EPSG::4326">
   <gml:pos>50.85 4.35</gml:pos></gml:Point></x:geom>
 </x:telpunt></wfs:member>
</wfs:FeatureCollection>"""


def test_wfs_wgs84_bbox_total_and_units():
    content = parse("wfs", WFS_WGS84, timestamp_field="laatst", id_field="id")
    assert content.bbox == [3.72, 50.85, 4.35, 51.05]  # lat/lon axis order undone
    assert (content.total_records, content.records) == (250, 2)
    assert (content.units_total, content.units_reporting) == (2, 1)
    assert content.sample[1] == {"id": "2", "laatst": None}


def test_wfs_geojson_output():
    body = {
        "type": "FeatureCollection",
        "numberMatched": 40,
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [4.4, 51.2]},
                "properties": {"id": "x", "laatst": "2026-11-23T05:00:00Z"},
            }
        ],
    }
    content = parse("wfs", json.dumps(body), timestamp_field="laatst", id_field="id")
    assert (content.total_records, content.records, content.units_reporting) == (40, 1, 1)
    assert content.bbox == [4.4, 51.2, 4.4, 51.2]


def test_wfs_exception_report():
    body = """<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">
      <ows:Exception exceptionCode="InvalidParameterValue" locator="typeName">
        <ows:ExceptionText>Feature type gw:bestaatniet unknown</ows:ExceptionText>
      </ows:Exception></ows:ExceptionReport>"""
    with pytest.raises(ParseError, match="gw:bestaatniet unknown"):
        parse("wfs", body)


XML_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0">&lol3;</wfs:FeatureCollection>"""


@pytest.mark.parametrize("protocol", ["wfs", "dov-xml"])
def test_xml_entity_bomb_is_refused(protocol):
    with pytest.raises(ParseError, match="geweigerd"):
        parse(protocol, XML_BOMB)


def test_xml_external_entity_is_refused():
    body = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(ParseError, match="geweigerd"):
        parse("wfs", body)


# --- DOV XML ------------------------------------------------------------------------------
def test_dov_filter_real():
    content = parse("dov-xml", real_payload("dov/grondwaterfilter.xml"))
    assert content.records == 146
    assert content.newest == datetime(2003, 7, 20, tzinfo=UTC)
    assert content.oldest == datetime(1997, 11, 16, tzinfo=UTC)
    assert content.median_step_s == 14 * 86400  # fortnightly readings
    assert content.largest_gap_s > content.median_step_s
    assert content.sample[0]["peil_mtaw"] == "22.61"
    assert content.naive_timestamps > 0  # some readings have a zone-less tijdstip
    assert (content.units_total, content.units_reporting) == (1, 1)


def test_dov_filter_without_measurements_real():
    content = parse("dov-xml", real_payload("dov/grondwaterfilter_geenpeilmeting.xml"))
    assert content.parsed and content.records == 0 and content.newest is None
    assert content.units_reporting == 0


def test_dov_xml_of_another_kind_is_refused():
    with pytest.raises(ParseError, match="geen DOV-XML"):
        parse("dov-xml", real_payload("dov/md_metadata.xml"))


# --- Opendatasoft -------------------------------------------------------------------------
def test_opendatasoft_records():
    body = json.dumps(
        {
            "total_count": 4321,
            "results": [
                {
                    "locatie": "Coupure",
                    "datum": "2026-11-23T04:00:00+00:00",
                    "geo_point_2d": {"lon": 3.71, "lat": 51.05},
                },
                {
                    "locatie": "Visserij",
                    "datum": "2026-11-22T23:00:00+00:00",
                    "geo_point_2d": {"lon": 3.74, "lat": 51.04},
                },
            ],
        }
    )
    content = parse("opendatasoft", body, timestamp_field="datum", id_field="locatie")
    assert (content.total_records, content.records) == (4321, 2)
    assert content.newest == datetime(2026, 11, 23, 4, tzinfo=UTC)
    assert (content.units_total, content.units_reporting) == (2, 2)
    assert content.bbox == [3.71, 51.04, 3.74, 51.05]
    assert content.sample[0]["geo_point_2d.lat"] == 51.05


def test_opendatasoft_error():
    body = '{"error_code": "ODSQLError", "message": "Unknown field: datum"}'
    with pytest.raises(ParseError, match="Unknown field: datum"):
        parse("opendatasoft", body)


# --- Telraam ------------------------------------------------------------------------------
def test_telraam_snapshot_real():
    content = parse("telraam", real_payload("telraam/traffic_snapshot_live.json"))
    assert (content.units_total, content.units_reporting) == (5000, 1416)
    assert content.records == 5000
    assert content.newest == datetime(2023, 12, 10, 5, 31, 16, 318700, tzinfo=UTC)
    assert len(content.sample) == THRESHOLDS.sample_rows
    assert content.sample[0]["segment_id"] == 24948
    assert content.bbox is not None and content.bbox[0] < 4.4 < content.bbox[2]


def test_telraam_forbidden_body():
    with pytest.raises(ParseError, match="Forbidden"):
        parse("telraam", '{"message": "Forbidden"}')


# --- Brussels Mobility --------------------------------------------------------------------
BRUSSELS_LIVE = {
    "requestDate": "2019/10/17 11:14:10",
    "data": {
        "CB02411": {
            "hour_cnt": 3,
            "day_cnt": 770,
            "year_cnt": 370188,
            "cnt_time": "2019/10/17 11:13:00",
        },
        "CB1143": {
            "hour_cnt": 9,
            "day_cnt": 253,
            "year_cnt": 278299,
            "cnt_time": "2019/10/17 10:58:00",
        },
        "SJE181": {"hour_cnt": 0, "day_cnt": 0, "year_cnt": 22258, "cnt_time": None},
    },
}


def test_brussels_live_counts_in_local_time():
    content = parse("brussels-mobility", json.dumps(BRUSSELS_LIVE))
    assert content.newest == datetime(2019, 10, 17, 9, 13, tzinfo=UTC)  # CEST, documented
    assert content.naive_timestamps == 0
    assert (content.units_total, content.units_reporting) == (3, 2)
    assert content.sample[0] == {
        "device_name": "CB02411",
        "hour_cnt": 3,
        "day_cnt": 770,
        "year_cnt": 370188,
        "cnt_time": "2019/10/17 11:13:00",
    }


def test_brussels_devices():
    body = {
        "requestDate": "2019/10/17 11:14:08",
        "type": "FeatureCollection",
        "totalFeatures": 2,
        "features": [
            {
                "type": "Feature",
                "id": "device.CB02411",
                "geometry": {"type": "Point", "coordinates": [4.37396, 50.88185]},
                "properties": {
                    "device_name": "CB02411",
                    "active": True,
                    "road_nl": "Vilvoordsesteenweg",
                },
            },
            {
                "type": "Feature",
                "id": "device.CJM90",
                "geometry": {"type": "Point", "coordinates": [4.34124, 50.85363]},
                "properties": {"device_name": "CJM90", "active": False, "road_nl": "Koolmijnkaai"},
            },
        ],
    }
    content = parse("brussels-mobility", json.dumps(body))
    assert (content.units_total, content.units_reporting) == (2, 1)
    assert content.bbox == [4.34124, 50.85363, 4.37396, 50.88185]
    assert content.newest is None and content.sample[1]["road_nl"] == "Koolmijnkaai"


# --- CSV ----------------------------------------------------------------------------------
CSV = (
    "teller;tijdstip;aantal\n"
    "T1;2026-11-23T05:00:00+01:00;12\n"
    "T2;2026-11-23T04:00:00+01:00;\n"
    "T1;2026-11-22T05:00:00+01:00;7\n"
)


def test_csv_sniffs_semicolons():
    content = parse("csv", CSV, timestamp_field="tijdstip", id_field="teller")
    assert content.records == 3
    assert content.newest == datetime(2026, 11, 23, 4, tzinfo=UTC)
    assert (content.units_total, content.units_reporting) == (2, 2)
    assert content.sample[1] == {
        "teller": "T2",
        "tijdstip": "2026-11-23T04:00:00+01:00",
        "aantal": "",
    }


def test_csv_wrong_delimiter_is_a_parse_error():
    with pytest.raises(ParseError, match="kolom 'tijdstip' niet gevonden"):
        parse("csv", CSV, timestamp_field="tijdstip", delimiter=",")


def test_csv_without_header_row_is_noted():
    # AWV's monthly files: site-id;richting;type;van;tot;aantal, but no header line
    body = (
        "1024;1;fiets;2023-06-01 00:00:00.0;2023-06-01 00:15:00.0;12\n"
        "1024;2;fiets;2023-06-01 00:00:00.0;2023-06-01 00:15:00.0;3\n"
        "1025;1;fiets;2023-06-01 00:15:00.0;2023-06-01 00:30:00.0;0\n"
    )
    content = parse("csv", body)
    assert content.records == 3 and "CSV zonder kopregel" in content.notes
    assert content.sample[0]["kolom1"] == "1024" and content.sample[2]["kolom6"] == "0"
    timed = parse("csv", body, timestamp_field="kolom5", id_field="kolom1")
    assert timed.newest == datetime(2023, 6, 1, 0, 30, tzinfo=UTC)
    assert (timed.units_total, timed.units_reporting) == (2, 2)
    assert timed.naive_timestamps > 0


@pytest.mark.parametrize("limit", [None, 10_000_000])
def test_csv_huge_field_is_refused_whatever_the_global_limit(limit):
    import csv

    before = csv.field_size_limit()
    try:
        if limit:
            csv.field_size_limit(limit)  # as frictionless does, process-wide
        body = 'tijd,opmerking\n2026-11-23T05:00:00Z,"' + "x" * 200_000 + '"\n'
        with pytest.raises(ParseError, match="ongeldige CSV"):
            parse("csv", body, timestamp_field="tijd")
    finally:
        csv.field_size_limit(before)


def test_csv_row_longer_than_header_keeps_string_keys():
    content = parse("csv", "a,b\n1,2,3,4\n5,6\n", delimiter=",")
    assert content.sample[0] == {"a": "1", "b": "2", "_extra_velden": '["3", "4"]'}
    assert all(isinstance(key, str) for row in content.sample for key in row)


def test_csv_timestamp_format_and_latin1():
    body = "plaats,datum\nBrugge,23/11/2026 05:00\nGistel (één),22/11/2026 05:00\n".encode(
        "latin-1"
    )
    content = parse("csv", body, timestamp_field="datum", timestamp_format="%d/%m/%Y %H:%M")
    assert content.newest == datetime(2026, 11, 23, 5, tzinfo=UTC)
    assert content.naive_timestamps > 0
    assert content.sample[1]["plaats"] == "Gistel (één)"


# --- JSON and HTML ------------------------------------------------------------------------
def test_json_list_and_wrapped_lists_with_dotted_field():
    records = [{"id": "a", "meta": {"updated": "2026-11-23T05:00:00Z"}}, {"id": "b", "meta": {}}]
    for body in (records, {"items": records, "total": 2}):
        content = parse("json", json.dumps(body), timestamp_field="meta.updated", id_field="id")
        assert content.records == 2 and content.newest == datetime(2026, 11, 23, 5, tzinfo=UTC)
        assert (content.units_total, content.units_reporting) == (2, 1)


def test_json_geojson_features():
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [3.7, 51.0]},
                "properties": {"t": 1},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [4.4, 51.2]},
                "properties": {"t": 2},
            },
        ],
    }
    content = parse("json", json.dumps(body))
    assert content.records == 2 and content.bbox == [3.7, 51.0, 4.4, 51.2]
    assert content.sample == [{"t": 1}, {"t": 2}]


def test_json_without_a_list_is_a_parse_error():
    with pytest.raises(ParseError, match="geen lijst"):
        parse("json", '{"hello": "world"}')


def test_html_parses_nothing():
    content = parse("html", b"<html><body>Welkom</body></html>")
    assert content.parsed and content.records is None and content.newest is None
