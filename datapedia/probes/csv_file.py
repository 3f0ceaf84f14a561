"""Plain CSV downloads (AWV fietstellingen, open data exports).

The delimiter is sniffed unless the fiche gives one. A declared timestamp column
that is missing while the file splits into one column means the delimiter is
wrong: that is a parse error, not silently "no timestamps".
"""

from __future__ import annotations

import csv
import io

from datapedia.fiche import Distribution
from datapedia.probes.common import (
    Adapter,
    Content,
    ParseContext,
    ParseError,
    decode_text,
    summarize_rows,
)

_SNIFF_CHARS = 64 * 1024
_DELIMITERS = ",;\t|"


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    text = decode_text(body)
    if not text.strip():
        return Content(records=0, sample=[], rows_sampled=0)
    delimiter = distribution.delimiter or _sniff(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = reader.fieldnames or []
    field = distribution.timestamp_field
    if field and field not in header and len(header) <= 1:
        shown = "tab" if delimiter == "\t" else delimiter
        raise ParseError(
            f"kolom '{field}' niet gevonden: met scheidingsteken '{shown}' heeft het "
            f"bestand maar één kolom ({(header or [''])[0][:80]!r})"
        )
    try:
        return summarize_rows(reader, distribution, ctx)
    except csv.Error as error:
        raise ParseError(f"ongeldige CSV (regel {reader.line_num}): {error}") from error


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:_SNIFF_CHARS], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


ADAPTER = Adapter(parse=parse)
