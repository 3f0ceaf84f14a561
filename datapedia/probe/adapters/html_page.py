"""A landing page: only availability is measured, so a HEAD (falling back to GET) suffices.

Nothing of the body is read, so a field the fiche names on such a distribution never is.
"""

from __future__ import annotations

from datapedia.model.fiche import Distribution
from datapedia.probe.adapters.common import Adapter, Content, ParseContext, UrlProblem


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    return Content()


def url_needs(distribution: Distribution) -> list[UrlProblem]:
    named = [
        ("timestamp_field", distribution.timestamp_field),
        ("id_field", distribution.id_field),
        ("columns", distribution.columns),
    ]
    return [
        (
            field,
            "protocol html leest de inhoud niet: dit veld wordt nooit gelezen; kies het "
            "protocol dat het formaat leest (csv, json, wfs, ...) of laat het veld weg",
        )
        for field, value in named
        if value
    ]


ADAPTER = Adapter(parse=parse, method="HEAD", url_needs=url_needs)
