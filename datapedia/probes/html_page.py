"""A landing page: only availability is measured, so a HEAD (falling back to GET) suffices."""

from __future__ import annotations

from datapedia.fiche import Distribution
from datapedia.probes.common import Adapter, Content, ParseContext


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    return Content()


ADAPTER = Adapter(parse=parse, method="HEAD")
