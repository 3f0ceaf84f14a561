"""Hostile feeds through the whole ``datapedia check``: each fault from the catalogue is one test.

For every fault the run must (1) finish with exit 0 or 1, (2) leave the two healthy
fiches served by the same server judged exactly as in a run without the fault, (3)
give the faulty dataset the catalogued error code and statuses, (4) write nothing
outside ``checks/``, (5) never show a secret (or the fault's forbidden text) in any
output, and (6) keep last night's history line, byte for byte, as the first line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import threading

import pytest
from localserver import LocalServer, Route

from .catalogue import FEED_FAULTS, JSON_DIST, TELRAAM_AUTH, UNITS, FeedFault, large_rows
from .harness import (
    FAST,
    FAULT_ID,
    HEALTHY_IDS,
    HEALTHY_SECRET,
    JSON,
    NOW,
    PUBLIC_NAME,
    SECRETS,
    TELRAAM_SECRET,
    RawServer,
    closed_port,
    fiche_data,
    healthy_json_body,
    leaks,
    run_scenario,
)


def _param(fault: FeedFault):
    marks = (
        [pytest.mark.xfail(strict=True, raises=AssertionError, reason=fault.xfail)]
        if fault.xfail
        else []
    )
    return pytest.param(fault, id=fault.name, marks=marks)


@pytest.mark.fault
@pytest.mark.parametrize("fault", [_param(f) for f in FEED_FAULTS])
def test_feed_fault(fault: FeedFault, tmp_path, monkeypatch, baseline):
    routes = fault.routes()

    def faulty(urls: dict[str, str]) -> dict:
        distribution = {"protocol": fault.protocol, "url": fault.url.format(**urls)}
        return fiche_data(FAULT_ID, {**distribution, **fault.distribution}, **fault.fiche)

    try:
        run = run_scenario(
            tmp_path,
            monkeypatch,
            routes,
            faulty,
            guarded=fault.guarded,
            unset_env=fault.unset_env,
            raw=fault.raw,
            drip_s=fault.drip_s,
        )
    except Exception as error:  # (1) below: the run itself must survive the fault
        raise AssertionError(f"the run died: {type(error).__name__}: {error}") from error

    # (1) the run completes and publishes
    assert run.code in (0, 1), f"exit {run.code}: {run.stderr}"
    summary = json.loads((run.repo.checks / "summary.json").read_text(encoding="utf-8"))
    assert summary["checked_at"] == NOW.isoformat()
    assert sorted(d["id"] for d in summary["datasets"]) == sorted([*HEALTHY_IDS, FAULT_ID])

    # (2) the healthy neighbours are judged as if nothing happened
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid
    keyed = [r for r in run.requests if r.path.startswith("/gezond/sleutel.json")]
    assert keyed and HEALTHY_SECRET in keyed[0].path  # the key was really sent

    # (3) the faulty dataset: the catalogued error, parse error, statuses and findings
    diagnosis = run.diagnoses[FAULT_ID]
    [endpoint] = diagnosis.endpoints
    assert endpoint.error == fault.error, endpoint.error_detail
    if fault.parse_error is None:
        assert endpoint.parse_error is None
    else:
        assert endpoint.parse_error and re.search(fault.parse_error, endpoint.parse_error), (
            endpoint.parse_error
        )
    assert bool(endpoint.skipped) == fault.skipped
    if fault.attempts is not None:
        assert endpoint.attempts == fault.attempts
    if fault.method is not None:
        assert endpoint.method == fault.method
    if fault.hits is not None:
        assert sum(r.path.startswith("/fout/") for r in run.requests) == fault.hits
    got = {dim: status for dim, (status, _) in run.statuses(FAULT_ID).items()}
    assert {dim: got[dim] for dim in fault.statuses} == fault.statuses, (
        fault.server,
        run.statuses(FAULT_ID),
    )
    for dim, expected in fault.findings.items():
        found = run.statuses(FAULT_ID)[dim][1]
        assert set(expected) <= set(found), (dim, found)
    if fault.protocol == "telraam":  # the key goes out exactly when the fiche asks for it
        sent = any(r.headers.get("X-Api-Key") == TELRAAM_SECRET for r in run.requests)
        assert sent == ("auth" in fault.distribution and not fault.skipped)

    if fault.drip_s:
        # Every request to the dripping server ended within its deadline + 10 %: counted
        # in bytes the server got out before we hung up (one or two more once closed).
        limit = round(1.1 * FAST.total_timeout_s / fault.drip_s) + 2
        assert run.raw_sent and max(run.raw_sent) <= limit < len(fault.raw or b""), run.raw_sent
    if fault.max_stored is not None:
        stored = run.repo.checks / f"{FAULT_ID}.json"
        assert stored.stat().st_size <= fault.max_stored, stored.stat().st_size

    # (4) nothing written outside checks/ (the working directory included)
    assert run.after == run.before

    # (5) no secret, and none of the fault's forbidden text, in any output
    assert leaks(run.outputs(), SECRETS + fault.forbidden) == []

    # (6) last night's history line is still the first line, byte for byte
    for fid, seeded in run.repo.seeded.items():
        lines = run.repo.checks.joinpath("history", f"{fid}.jsonl").read_bytes().splitlines(True)
        assert lines[0] == seeded, fid
        assert len(lines) == 2 and json.loads(lines[1])["checked_at"].startswith("2026-11-23T06")


@pytest.mark.fault
def test_every_fault_in_one_night(tmp_path, monkeypatch, baseline):
    """All faults at once, each on its own server, in one run; then the site is rendered.

    Concurrency must not let one fault bleed into another's result, and the text the
    faults put into ``checks/`` (error details, parse errors) must render without leaking.
    The production address guard is on for the whole run (loopback plays the public host).
    """
    from datapedia.publish.render import render_site

    # Every key is set in this run; known bugs join once their xfail is removed.
    faults = [f for f in FEED_FAULTS if not f.unset_env and not f.xfail]
    with contextlib.ExitStack() as stack:
        servers = {f.name: stack.enter_context(LocalServer(f.routes())) for f in faults}
        raws = {
            f.name: stack.enter_context(RawServer(f.raw, f.drip_s))
            for f in faults
            if f.raw is not None
        }

        def fiches() -> list[dict]:
            made = []
            for fault in faults:
                server = servers[fault.name]
                urls = {"base": server.base, "public": f"http://{PUBLIC_NAME}:{server.port}",
                        "closed": str(closed_port())}  # fmt: skip
                if fault.name in raws:
                    urls["raw"] = raws[fault.name].base
                url = fault.url.format(**urls)
                made.append(
                    fiche_data(
                        f"fout-{fault.name}",
                        {"protocol": fault.protocol, "url": url, **fault.distribution},
                        **fault.fiche,
                    )  # fmt: skip
                )
            return made

        run = run_scenario(tmp_path, monkeypatch, {}, guarded=True, extra=fiches)

    assert run.code == 1, run.stderr
    assert run.after == run.before
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid
    wrong = []
    for fault in faults:
        [endpoint] = run.diagnoses[f"fout-{fault.name}"].endpoints
        got = {d: st for d, (st, _) in run.statuses(f"fout-{fault.name}").items()}
        if endpoint.error != fault.error or any(got[d] != st for d, st in fault.statuses.items()):
            wrong.append((fault.name, endpoint.error, got))
    assert wrong == []

    site = tmp_path / "site-out"
    render_site(run.repo.root, run.repo.checks, NOW, out_dir=site)
    pages = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert all(f"datasets/fout-{f.name}.md" in pages for f in faults)
    forbidden = tuple(text for f in faults for text in f.forbidden)
    assert leaks({**pages, **run.outputs()}, SECRETS + forbidden) == []


@pytest.mark.fault
def test_a_diagnose_bug_for_one_fiche_does_not_stop_the_night(tmp_path, monkeypatch, baseline):
    import datapedia.judge as diagnose_module

    real = diagnose_module.diagnose

    def diagnose(fiche, *args, **kwargs):
        if fiche.id == FAULT_ID:  # e.g. a value from the feed that trips the quality step
            raise ValueError("onverwachte waarde in de steekproef")
        return real(fiche, *args, **kwargs)

    monkeypatch.setattr(diagnose_module, "diagnose", diagnose)

    def faulty(urls: dict[str, str]) -> dict:
        return fiche_data(FAULT_ID, {"protocol": "json", "url": urls["base"] + "/gezond/data.json"})

    try:
        run = run_scenario(tmp_path, monkeypatch, {}, faulty)
    except ValueError as error:
        raise AssertionError(f"the run died: {error!r}") from error
    assert run.code in (0, 1), run.stderr
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid


TELRAAM_ONE_SEGMENT = json.dumps(
    {"features": [{"type": "Feature", "properties": {"segment_id": 1, "date": NOW.isoformat(),
                                                     "last_data_package": NOW.isoformat()}}]}
)  # fmt: skip


def _to_other_host(request) -> Route:
    """Redirect to the same server under another name: another origin for the key's purposes."""
    port = request.headers["Host"].rsplit(":", 1)[1]
    return Route(redirect=f"http://localhost:{port}/fout/elders")


@pytest.mark.fault
def test_a_redirect_to_another_host_does_not_carry_the_key(tmp_path, monkeypatch, baseline):
    """An open redirect (or a compromised endpoint) must not collect the Telraam key."""
    routes = {
        "/fout/feed": _to_other_host,
        "/fout/elders": Route(body=TELRAAM_ONE_SEGMENT, content_type=JSON),
    }

    def faulty(urls: dict[str, str]) -> dict:
        distribution = {"protocol": "telraam", "url": urls["base"] + "/fout/feed",
                        "auth": TELRAAM_AUTH}  # fmt: skip
        return fiche_data(FAULT_ID, distribution, theme="mobiliteit")

    run = run_scenario(tmp_path, monkeypatch, routes, faulty)
    assert run.code in (0, 1), run.stderr
    first = [r for r in run.requests if r.path == "/fout/feed"]
    elsewhere = [r for r in run.requests if r.path == "/fout/elders"]
    assert first and first[0].headers.get("X-Api-Key") == TELRAAM_SECRET  # sent where asked
    assert elsewhere, "the redirect was not followed"
    assert all("X-Api-Key" not in r.headers for r in elsewhere), "key sent to another host"
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid
    assert leaks(run.outputs(), SECRETS) == []


@pytest.mark.fault
def test_csv_is_sniffed_on_a_small_prefix(tmp_path, monkeypatch, baseline):
    """csv.Sniffer is quadratic on some text: it never sees more than SNIFF_CHARS."""
    import csv

    from datapedia.probe.adapters.csv_file import SNIFF_CHARS

    from .catalogue import SNIFF_BOMB

    seen: list[int] = []
    for name in ("sniff", "has_header"):
        real = getattr(csv.Sniffer, name)

        def spy(self, sample, *args, _real=real, **kwargs):
            seen.append(len(sample))
            return _real(self, sample, *args, **kwargs)

        monkeypatch.setattr(csv.Sniffer, name, spy)

    def faulty(urls: dict[str, str]) -> dict:
        distribution = {"protocol": "csv", "url": urls["base"] + "/fout/feed",
                        "format": "text/csv", "timestamp_field": "tijd"}  # fmt: skip
        return fiche_data(FAULT_ID, distribution)

    run = run_scenario(
        tmp_path,
        monkeypatch,
        {"/fout/feed": Route(body=SNIFF_BOMB, content_type="text/csv")},
        faulty,
    )
    assert run.code in (0, 1), run.stderr
    assert seen and max(seen) <= SNIFF_CHARS < len(SNIFF_BOMB), seen
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid


@pytest.mark.fault
def test_an_unprobed_fiche_with_a_documented_standard_is_never_in_orde(
    tmp_path, monkeypatch, baseline
):
    """Issue #18 finding 7: `probe: false` measured nothing, so it cannot be "in orde"."""

    def faulty(urls: dict[str, str]) -> dict:
        distribution = {"protocol": "json", "url": urls["base"] + "/fout/feed", "probe": False}
        return fiche_data(FAULT_ID, distribution)  # open licence, documented standard

    run = run_scenario(tmp_path, monkeypatch, {}, faulty)
    assert run.code in (0, 1), run.stderr
    diagnosis = run.diagnoses[FAULT_ID]
    assert diagnosis.endpoints == [] and not any(r.path.startswith("/fout/") for r in run.requests)
    assert diagnosis.verdict.value == "niet_beoordeeld" and diagnosis.overall.value == "unknown"
    assert "niet gemeten" in diagnosis.verdict_reason
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid


@pytest.mark.fault
def test_a_fast_feed_stays_fast_while_another_parse_holds_the_gil(tmp_path, monkeypatch, baseline):
    """Issue #18 finding 5: a parse holding the GIL made an unrelated feed "traag".

    The fast feed answers from its own process the moment a neighbour's parse takes
    the GIL in one C call; its latency is when the answer reached the socket, not when
    the probe thread got the GIL back.
    """
    from datapedia.model.fiche import Protocol
    from datapedia.probe.adapters import ADAPTERS

    from .forked import ForkedServer, hog_the_gil

    adapter, hogs = ADAPTERS[Protocol.json], []
    real_parse = adapter.parse

    def parse(body, distribution, ctx):
        if str(distribution.url).endswith("/gezond/data.json") and not hogs:
            srv.seen.wait(10)  # the fast feed's request is out
            srv.go.set()
            hogs.append(hog_the_gil())
        return real_parse(body, distribution, ctx)

    monkeypatch.setitem(ADAPTERS, Protocol.json, dataclasses.replace(adapter, parse=parse))
    with ForkedServer(healthy_json_body()) as srv:
        fast = {"protocol": "json", "url": srv.url, **JSON_DIST}
        # deadlines far beyond the hog, however slow the machine: this is about latency
        patient = dataclasses.replace(FAST, read_timeout_s=60.0, total_timeout_s=60.0)
        run = run_scenario(
            tmp_path, monkeypatch, {}, lambda urls: fiche_data(FAULT_ID, fast), settings=patient
        )
    assert run.code in (0, 1), run.stderr
    [(began, ended)] = hogs
    assert srv.answered_at < began + (ended - began) / 4  # it answered early in the hog
    [endpoint] = run.diagnoses[FAULT_ID].endpoints
    assert endpoint.latency_ms / 1000 < (ended - began) / 2, (endpoint.latency_ms, ended - began)
    assert run.statuses(FAULT_ID)["availability"] == ("ok", ["BES-01"])
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid
    assert leaks(run.outputs(), SECRETS) == []


@pytest.mark.fault
def test_large_bodies_at_once_hold_at_most_the_memory_budget(tmp_path, monkeypatch, baseline):
    """Issue #18: 32 downloads of 50 MB were all held in memory at once. Counted in bytes:
    what the transport holds in memory over all live bodies never passes
    total_concurrency x memory_bytes; the rest waits on disk."""
    from datapedia.probe.transport import fetcher as fetcher_module
    from datapedia.probe.transport.body import Body

    settings = dataclasses.replace(FAST, total_concurrency=3, per_host_concurrency=3)
    live: set[Body] = set()
    held, spooled, lock = [0], [0], threading.Lock()

    class Counted(Body):
        def write(self, data: bytes) -> None:
            super().write(data)
            with lock:
                live.add(self)
                held[0] = max(held[0], sum(b.held for b in live))

        def close(self) -> None:
            with lock:
                live.discard(self)
                spooled[0] += self.spooled
            super().close()

    monkeypatch.setattr(fetcher_module, "Body", Counted)
    names = [f"groot-{i}" for i in range(6)]
    with LocalServer(
        {f"/{n}.json": Route(body=large_rows(), content_type=JSON) for n in names}
    ) as big:

        def fiches() -> list[dict]:
            return [
                fiche_data(n, {"protocol": "json", "url": big.url(f"/{n}.json"), **JSON_DIST},
                           **UNITS)
                for n in names
            ]  # fmt: skip

        run = run_scenario(tmp_path, monkeypatch, {}, extra=fiches, settings=settings)
    assert run.code in (0, 1), run.stderr
    budget = settings.total_concurrency * settings.memory_bytes
    all_at_once = len(names) * len(large_rows())
    assert 0 < held[0] <= budget < all_at_once, (held[0], budget)
    assert spooled[0] == len(names)  # every large body went to disk, none of the small ones
    for fid in names:
        assert run.statuses(fid)["availability"] == ("ok", ["BES-01"]), fid
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid
