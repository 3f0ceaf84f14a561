"""The probe step end to end: fiches -> local HTTP server -> Observation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from types import SimpleNamespace

import factories
import pytest
from localserver import LocalServer, Route, real_payload

from datapedia.model.fiche import Fiche, Protocol
from datapedia.model.results import Observation
from datapedia.probe import runner as probe_module
from datapedia.probe.adapters import ADAPTERS, Adapter
from datapedia.probe.keys import MISSING_KEY, with_param
from datapedia.probe.runner import probe_all, probe_fiche
from datapedia.probe.transport import Fetcher, FetchPolicy, TransportSettings

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
FAST = TransportSettings(
    connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0, retries=1, backoff_s=0.01
)
JSON = "application/json"


def make_fiche(fiche_id: str, distributions: list[dict], **extra) -> Fiche:
    return factories.make_fiche(id=fiche_id, distributions=distributions, **extra)


def distribution(url: str, protocol: str = "kiwis", fmt: str = JSON, **extra) -> dict:
    return {
        "title": f"{protocol} eindpunt",
        "protocol": protocol,
        "url": url,
        "format": fmt,
        **extra,
    }


@pytest.fixture
def fetcher():
    with Fetcher(FetchPolicy(allow_private=True, settings=FAST)) as f:
        yield f


def test_real_payloads_are_probed_and_parsed(fetcher):
    routes = {
        "/kiwis": Route(
            body=real_payload("waterinfo/getTimeseriesValueLayer.json"), content_type=JSON
        ),
        "/filter.xml": Route(
            body=real_payload("dov/grondwaterfilter.xml"), content_type="application/xml"
        ),
        "/wfs": Route(
            body=real_payload("dov/wfsgetfeature.xml"), content_type="text/xml; subtype=gml/3.2"
        ),
        "/telraam": Route(
            body=real_payload("telraam/traffic_snapshot_live.json"), content_type=JSON, gzip=True
        ),
    }
    with LocalServer(routes) as srv:
        fiche = make_fiche(
            "echte-bronnen",
            [
                distribution(srv.url("/kiwis?request=getTimeseriesValueLayer&format=json")),
                distribution(srv.url("/filter.xml"), "dov-xml", "application/xml"),
                distribution(
                    srv.url("/wfs"), "wfs", "application/xml", timestamp_field="peilmetingen_tot"
                ),
                distribution(srv.url("/telraam"), "telraam"),
            ],
        )
        observation = probe_fiche(fiche, fetcher, NOW, {})
    assert observation.fiche_id == "echte-bronnen" and observation.checked_at == NOW
    kiwis_obs, dov, wfs, telraam = observation.endpoints
    assert [e.distribution for e in observation.endpoints] == [0, 1, 2, 3]
    for e in observation.endpoints:
        assert e.reachable and e.status_code == 200 and e.error is None and e.parsed, e
    assert kiwis_obs.newest == datetime(2017, 10, 28, 15, 45, tzinfo=UTC)
    assert kiwis_obs.units_reporting == 8 and kiwis_obs.method == "GET"
    assert kiwis_obs.url.endswith("/kiwis?request=getTimeseriesValueLayer&format=json")
    assert (dov.records, dov.newest) == (146, datetime(2003, 7, 20, tzinfo=UTC))
    assert wfs.newest == datetime(2003, 7, 20, tzinfo=UTC)
    assert (telraam.units_total, telraam.units_reporting) == (5000, 1416)
    assert telraam.bytes_read > 2_000_000  # decoded size, not the gzip on the wire


def test_probe_false_and_missing_datasets(fetcher):
    with LocalServer({"/a": Route(body=b"[]", content_type=JSON)}) as srv:
        fiche = make_fiche(
            "gemengd",
            [distribution(srv.url("/a"), probe=False), distribution(srv.url("/a"))],
        )
        observation = probe_fiche(fiche, fetcher, NOW, {})
        assert srv.hits("/a") == 1
    assert [e.distribution for e in observation.endpoints] == [1]
    assert observation.endpoints[0].records == 0

    missing = make_fiche("bestaat-niet", [], status="ontbrekend")
    assert probe_fiche(missing, fetcher, NOW, {}).endpoints == []


def test_missing_key_is_skipped_without_a_request(fetcher):
    auth = {"kind": "api-key", "env": "TELRAAM_API_KEY", "header": "X-Api-Key"}
    with LocalServer({"/t": Route(body=b"{}")}) as srv:
        fiche = make_fiche("telraam", [distribution(srv.url("/t"), "telraam", auth=auth)])
        observation = probe_fiche(fiche, fetcher, NOW, {"OTHER": "x"})
        assert srv.requests == []
    endpoint = observation.endpoints[0]
    assert endpoint.skipped == (
        "sleutel ontbreekt: omgevingsvariabele TELRAAM_API_KEY is niet gezet"
    )
    assert endpoint.skipped == MISSING_KEY.format(env="TELRAAM_API_KEY")
    assert endpoint.error is None and endpoint.attempts == 0


def test_key_in_header_is_sent_and_never_recorded(fetcher):
    key = "tr-SECRET-123"
    auth = {"kind": "api-key", "env": "TELRAAM_API_KEY", "header": "X-Api-Key"}
    with LocalServer(
        {"/t": Route(status=403, body=f'{{"message": "Forbidden for {key}"}}')}
    ) as srv:
        fiche = make_fiche("telraam", [distribution(srv.url("/t"), "telraam", auth=auth)])
        endpoint = probe_fiche(fiche, fetcher, NOW, {"TELRAAM_API_KEY": key}).endpoints[0]
        assert srv.requests[0].headers["X-Api-Key"] == key
    assert endpoint.error == "http" and endpoint.status_code == 403
    assert "Forbidden" in endpoint.error_detail
    assert key not in endpoint.model_dump_json()


def test_key_in_query_parameter_is_redacted(fetcher):
    key = "kw/SECRET+1"
    auth = {"kind": "token", "env": "KIWIS_TOKEN", "param": "token"}
    body = b'[{"station_no": "A", "timestamp": "2026-11-23T05:45:00Z"}]'
    with LocalServer({"/k": Route(body=body, content_type=JSON)}) as srv:
        fiche = make_fiche("kiwis", [distribution(srv.url("/k?format=json"), auth=auth)])
        endpoint = probe_fiche(fiche, fetcher, NOW, {"KIWIS_TOKEN": key}).endpoints[0]
        assert srv.requests[0].path == "/k?format=json&token=kw%2FSECRET%2B1"
    assert endpoint.parsed and endpoint.units_reporting == 1
    assert "SECRET" not in endpoint.model_dump_json()
    assert endpoint.url.endswith("/k?format=json&token=***")


def test_with_param_keeps_the_url_as_written():
    url = "https://x.org/wfs?typeName=gw:meetnetten&filter=a%20b#top"
    assert with_param(url, "key", "k/1") == (
        "https://x.org/wfs?typeName=gw:meetnetten&filter=a%20b&key=k%2F1#top"
    )
    assert with_param("https://x.org/a", "key", "v") == "https://x.org/a?key=v"


def test_http_error_is_not_parsed(fetcher):
    with LocalServer() as srv:
        fiche = make_fiche("weg", [distribution(srv.url("/gone"))])
        endpoint = probe_fiche(fiche, fetcher, NOW, {}).endpoints[0]
    assert (endpoint.error, endpoint.status_code, endpoint.reachable) == ("http", 404, True)
    assert not endpoint.parsed and endpoint.parse_error is None and endpoint.records is None


def test_unreachable_endpoint(fetcher):
    fiche = make_fiche("dicht", [distribution("http://127.0.0.1:9/")])
    endpoint = probe_fiche(fiche, fetcher, NOW, {}).endpoints[0]
    assert endpoint.error == "connect" and not endpoint.reachable
    assert endpoint.attempts == FAST.retries + 1


def test_loopback_is_refused_in_production_mode():
    with LocalServer({"/a": Route(body=b"[]")}) as srv, Fetcher(FetchPolicy()) as fetcher:
        fiche = make_fiche("intern", [distribution(srv.url("/a"))])
        endpoint = probe_fiche(fiche, fetcher, NOW, {}).endpoints[0]
        assert srv.requests == []
    assert endpoint.error == "blocked_address" and not endpoint.reachable


def test_other_content_type_is_recorded_not_fatal(fetcher):
    body = b'[{"station_no": "A", "timestamp": "2026-11-23T05:45:00Z"}]'
    with LocalServer({"/k": Route(body=body, content_type="text/plain")}) as srv:
        fiche = make_fiche("type", [distribution(srv.url("/k"))])
        endpoint = probe_fiche(fiche, fetcher, NOW, {}).endpoints[0]
        assert srv.requests[0].headers["Accept"].startswith(JSON)
    assert endpoint.content_type == "text/plain" and endpoint.parsed and endpoint.records == 1


def test_malformed_json_and_xml_bomb_become_parse_errors(fetcher):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
    )
    routes = {"/j": Route(body=b'{"results": [', content_type=JSON), "/x": Route(body=bomb)}
    with LocalServer(routes) as srv:
        fiche = make_fiche(
            "kapot",
            [distribution(srv.url("/j")), distribution(srv.url("/x"), "wfs", "application/xml")],
        )
        broken_json, bomb_obs = probe_fiche(fiche, fetcher, NOW, {}).endpoints
    assert broken_json.error is None and not broken_json.parsed
    assert broken_json.parse_error.startswith("geen geldige JSON")
    assert not bomb_obs.parsed and "geweigerd" in bomb_obs.parse_error


def test_a_parser_bug_is_a_parse_error_not_a_crash(fetcher, monkeypatch):
    def explode(body, dist, ctx):
        raise KeyError("oops")

    monkeypatch.setitem(ADAPTERS, Protocol.kiwis, Adapter(parse=explode))
    with LocalServer({"/k": Route(body=b"[]", content_type=JSON)}) as srv:
        fiche = make_fiche("bug", [distribution(srv.url("/k"))])
        endpoint = probe_fiche(fiche, fetcher, NOW, {}).endpoints[0]
    assert not endpoint.parsed and "KeyError" in endpoint.parse_error


def test_html_landing_page_uses_head_then_get(fetcher):
    page = Route(body=b"<html>ok</html>", content_type="text/html", methods=frozenset({"GET"}))
    with LocalServer({"/": page}) as srv:
        fiche = make_fiche("pagina", [distribution(srv.url("/"), "html", "text/html")])
        endpoint = probe_fiche(fiche, fetcher, NOW, {}).endpoints[0]
        assert [r.method for r in srv.requests] == ["HEAD", "GET"]
    assert endpoint.method == "GET" and endpoint.parsed and endpoint.error is None


def test_probe_all_runs_concurrently_and_survives_a_bad_fiche(fetcher, monkeypatch):
    # Every request waits until all four are in: answered only when they run side by side.
    together = threading.Barrier(4)

    def all_at_once(request):
        together.wait(timeout=10)
        return Route(body=b"[]", content_type=JSON)

    with LocalServer({"/slow": all_at_once}) as srv:
        fiches = [make_fiche(f"fiche-{i}", [distribution(srv.url(f"/slow?{i}"))]) for i in range(4)]
        fiches.append(make_fiche("stuk", [distribution(srv.url("/slow?x"))]))
        real = probe_module.probe_fiche

        def flaky(fiche, *args):
            if fiche.id == "stuk":
                raise RuntimeError("kapotte fiche")
            return real(fiche, *args)

        monkeypatch.setattr(probe_module, "probe_fiche", flaky)
        observations = list(probe_all(fiches, fetcher, NOW, {}, workers=5))
    assert sorted(o.fiche_id for o in observations) == [
        "fiche-0",
        "fiche-1",
        "fiche-2",
        "fiche-3",
        "stuk",
    ]
    assert not together.broken  # the four requests were in flight at the same time
    bad = next(o for o in observations if o.fiche_id == "stuk")
    assert bad.endpoints[0].error == "internal" and "kapotte fiche" in bad.endpoints[0].error_detail
    good = [o for o in observations if o.fiche_id != "stuk"]
    assert all(o.endpoints[0].parsed and o.endpoints[0].records == 0 for o in good)


def test_probe_all_yields_as_completed(fetcher):
    routes = {
        "/slow": Route(body=b"[]", content_type=JSON, delay_s=0.6),
        "/fast": Route(body=b"[]"),
    }
    with LocalServer(routes) as srv:
        fiches = [
            make_fiche("traag", [distribution(srv.url("/slow"))]),
            make_fiche("snel", [distribution(srv.url("/fast"))]),
        ]
        order = [o.fiche_id for o in probe_all(fiches, fetcher, NOW, {}, workers=2)]
    assert order == ["snel", "traag"]


def test_probe_all_keeps_at_most_twice_the_workers_ahead_of_a_slow_consumer(monkeypatch):
    """Observations hold samples; a slow diagnosis must not let all of them pile up."""
    started: list[str] = []

    def fake(fiche, fetcher, now, env, runner):
        started.append(fiche.id)
        return Observation(fiche_id=fiche.id, checked_at=now)

    monkeypatch.setattr(probe_module, "_probe_safely", fake)

    class Policy:
        class settings:  # noqa: N801 - mimics FetchPolicy.settings
            total_concurrency = 3

    class FakeFetcher:
        policy = Policy

    fiches = [SimpleNamespace(id=f"f{i}") for i in range(40)]
    seen = []
    for observation in probe_module.probe_all(fiches, FakeFetcher(), NOW, {}, workers=3):
        assert len(started) - len(seen) <= 6
        seen.append(observation.fiche_id)
    assert sorted(seen) == sorted(f.id for f in fiches)


def test_a_key_not_bound_to_the_host_is_never_sent():
    """The fiche passed validate once; the probe checks the maintainers' map again."""
    auth = {"kind": "api-key", "env": "TELRAAM_API_KEY", "header": "X-Api-Key"}
    policy = FetchPolicy(
        allow_private=True, settings=FAST, secret_hosts={"TELRAAM_API_KEY": frozenset({"x.be"})}
    )
    with LocalServer({"/t": Route(body=b"{}")}) as srv, Fetcher(policy) as fetcher:
        fiche = make_fiche("telraam", [distribution(srv.url("/t"), "telraam", auth=auth)])
        obs = probe_fiche(fiche, fetcher, NOW, {"TELRAAM_API_KEY": "sk-test-NIET-HIER"})
        assert srv.requests == []
    [endpoint] = obs.endpoints
    assert endpoint.error == "secret_host" and "config/geheimen.yml" in endpoint.error_detail


def test_a_failing_endpoint_is_asked_once_more_at_the_end_of_the_run(fetcher):
    body = real_payload("waterinfo/getTimeseriesValueLayer.json")
    flaky = [Route(status=503, body=b"onderhoud")] * (FAST.retries + 1) + [
        Route(body=body, content_type=JSON)
    ]
    with LocalServer({"/flaky": flaky, "/ok": Route(body=body, content_type=JSON)}) as srv:
        fiches = [
            make_fiche("wankel", [distribution(srv.url("/flaky"))]),
            make_fiche("gezond", [distribution(srv.url("/ok"))]),
        ]
        observations = list(probe_all(fiches, fetcher, NOW, {}))
        assert srv.hits("/flaky") == FAST.retries + 2
    # held back until the end of the run, then judged on the second round
    assert [obs.fiche_id for obs in observations] == ["gezond", "wankel"]
    [endpoint] = observations[1].endpoints
    assert endpoint.error is None and endpoint.status_code == 200 and endpoint.parsed
    assert endpoint.attempts == FAST.retries + 2


def test_an_endpoint_that_stays_down_is_down_after_the_second_round(fetcher):
    with LocalServer({"/down": Route(status=503, body=b"weg")}) as srv:
        fiche = make_fiche("weg", [distribution(srv.url("/down"))])
        [obs] = probe_all([fiche], fetcher, NOW, {})
        assert srv.hits("/down") == 2 * (FAST.retries + 1)
    [endpoint] = obs.endpoints
    assert endpoint.error == "http" and endpoint.attempts == 2 * (FAST.retries + 1)
