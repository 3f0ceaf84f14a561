"""parse_body: a body the transport spooled to disk reaches the bounded parser as its
file, so the probing process never reads a large body whole."""

from __future__ import annotations

import json

import factories
from factories import NOW

from datapedia.model.thresholds import THRESHOLDS
from datapedia.probe import parsing
from datapedia.probe.adapters import ParseContext, adapter_for
from datapedia.probe.transport import Body

ROWS = [{"station": f"s{i}", "tijd": NOW.isoformat(), "waarde": i} for i in range(40_000)]


def spooled_body(memory_bytes: int) -> Body:
    body = Body(memory_bytes)
    text = json.dumps({"results": ROWS}).encode()
    for start in range(0, len(text), 64 * 1024):
        body.write(text[start : start + 64 * 1024])
    assert body.size >= parsing.BOUNDED_BYTES
    return body


def read(body: Body, runner) -> dict:
    distribution = factories.make_fiche(
        distributions=[
            {
                "title": "API",
                "protocol": "json",
                "url": "https://example.org/api",
                "format": "application/json",
                "timestamp_field": "tijd",
            }
        ]
    ).distributions[0]
    ctx = ParseContext(now=NOW, thresholds=THRESHOLDS)
    return parsing.parse_body(adapter_for(distribution.protocol), body, distribution, ctx, runner)


class Recording:
    """A runner that records what it was handed and parses in this process."""

    def __init__(self):
        self.payloads = []

    def run(self, func, payload, *args):
        self.payloads.append(payload)
        return func(payload.read() if hasattr(payload, "read") else payload, *args)


def test_a_spooled_body_goes_to_the_bounded_parser_as_a_file():
    body, runner = spooled_body(memory_bytes=256 * 1024), Recording()
    assert body.spooled and body.held == 0
    fields = read(body, runner)
    assert hasattr(runner.payloads[0], "fileno")
    assert fields["parsed"] and fields["records"] == len(ROWS)
    assert body.held == 0 and body.size > 0


def test_a_large_body_in_memory_goes_as_bytes_and_is_released():
    body, runner = spooled_body(memory_bytes=64 * 1024 * 1024), Recording()
    assert not body.spooled
    fields = read(body, runner)
    assert [type(p) for p in runner.payloads] == [bytes]
    assert fields["records"] == len(ROWS)
    assert body.held == 0


def test_the_bounded_process_reads_the_spooled_file_itself():
    fields = read(spooled_body(memory_bytes=256 * 1024), parsing.new_runner())
    assert fields["parsed"], fields.get("parse_error")
    assert fields["records"] == len(ROWS)
