"""Plain CSV downloads (AWV fietstellingen, open data exports).

The delimiter is sniffed unless the fiche gives one. A declared timestamp column
that is missing while the file splits into one column means the delimiter is
wrong: that is a parse error, not silently "no timestamps". Files without a
header row (AWV's monthly counts) get columns ``kolom1``, ``kolom2``, ... and a note,
so the first count is not mistaken for column names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from datapedia.model.fiche import Distribution
from datapedia.probe.adapters.common import Adapter, Content, ParseContext
from datapedia.probe.adapters.decode import ParseError, decode_text
from datapedia.probe.adapters.records import summarize_rows

# csv.Sniffer is quadratic on some inputs (a long line of ',"a'; issue #18): it only
# ever sees this much, cut at a line end when there is one.
SNIFF_CHARS = 2048
_DELIMITERS = ",;\t|"
NOTE_NO_HEADER = "CSV zonder kopregel"
# The csv module's default; checked here too because other libraries in the same
# process (frictionless) raise csv.field_size_limit globally, which must not change results.
FIELD_LIMIT = 131_072
_EXTRA = "_extra_velden"


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    text = decode_text(body)
    if not text.strip():
        return Content(records=0, sample=[], rows_sampled=0)
    delimiter = distribution.delimiter or _sniff(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, restkey=_EXTRA)
    header = reader.fieldnames or []
    field = distribution.timestamp_field
    headerless = len(header) > 1 and field not in header and not _has_header(text)
    if headerless:
        names = [f"kolom{i + 1}" for i in range(len(header))]
        reader = csv.DictReader(
            io.StringIO(text, newline=""), names, delimiter=delimiter, restkey=_EXTRA
        )
    if field and field not in header and len(header) <= 1:
        shown = "tab" if delimiter == "\t" else delimiter
        raise ParseError(
            f"kolom '{field}' niet gevonden: met scheidingsteken '{shown}' heeft het "
            f"bestand maar één kolom ({(header or [''])[0][:80]!r})"
        )
    try:
        content = summarize_rows(_checked(reader), distribution, ctx)
    except csv.Error as error:
        raise ParseError(f"ongeldige CSV (regel {reader.line_num}): {error}") from error
    if headerless:
        content.notes.append(NOTE_NO_HEADER)
    return content


def _checked(reader: csv.DictReader) -> Iterator[dict[str, Any]]:
    """Rows with bounded fields; surplus fields (a row longer than the header) as JSON text."""
    for row in reader:
        if _EXTRA in row:
            row[_EXTRA] = json.dumps(row[_EXTRA], ensure_ascii=False)
        if any(isinstance(v, str) and len(v) > FIELD_LIMIT for v in row.values()):
            raise csv.Error(f"veld langer dan {FIELD_LIMIT} tekens")
        yield row


def _prefix(text: str) -> str:
    head = text[:SNIFF_CHARS]
    end = head.rfind("\n")
    return head[: end + 1] if end > 0 else head


def _has_header(text: str) -> bool:
    try:
        return csv.Sniffer().has_header(_prefix(text))
    except csv.Error:
        return True


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(_prefix(text), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


ADAPTER = Adapter(parse=parse)
