"""A landing page: only availability is measured, so a HEAD (falling back to GET) suffices.

Nothing of the body is read, so a field the fiche names on such a distribution never is.
"""

from __future__ import annotations

from datapedia.model.fiche import Distribution
from datapedia.model.protocols import html_url_needs as url_needs
from datapedia.probe.adapters.common import Adapter, Content, ParseContext


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    return Content()


ADAPTER = Adapter(parse=parse, method="HEAD", url_needs=url_needs)
