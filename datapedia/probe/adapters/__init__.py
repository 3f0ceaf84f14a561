"""One adapter per ``Protocol``: how to ask an endpoint and how to read its body."""

from __future__ import annotations

from datapedia.model.fiche import Protocol
from datapedia.probe.adapters import (
    brussels_mobility,
    csv_file,
    dov_xml,
    html_page,
    json_file,
    kiwis,
    opendatasoft,
    telraam,
    wfs,
)
from datapedia.probe.adapters.common import Adapter, Content, ParseContext
from datapedia.probe.adapters.decode import ParseError, TooComplex

ADAPTERS: dict[Protocol, Adapter] = {
    Protocol.kiwis: kiwis.ADAPTER,
    Protocol.wfs: wfs.ADAPTER,
    Protocol.dov_xml: dov_xml.ADAPTER,
    Protocol.opendatasoft: opendatasoft.ADAPTER,
    Protocol.telraam: telraam.ADAPTER,
    Protocol.brussels_mobility: brussels_mobility.ADAPTER,
    Protocol.csv: csv_file.ADAPTER,
    Protocol.json: json_file.ADAPTER,
    Protocol.html: html_page.ADAPTER,
}


def adapter_for(protocol: Protocol | str) -> Adapter:
    return ADAPTERS[Protocol(protocol)]


__all__ = [
    "ADAPTERS",
    "Adapter",
    "Content",
    "ParseContext",
    "ParseError",
    "TooComplex",
    "adapter_for",
]
