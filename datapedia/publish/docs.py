"""Lists of the quality vocabulary written into the docs and GitHub templates, from the model.

The six dimensions, their labels, the measured ones and the status scale are defined
once in ``datapedia.model.results``; the site's texts, the handbook, ``checks/README.md``,
``CONTRIBUTING.md`` and the issue and pull-request templates show them between two markers.
``datapedia docs`` rewrites what is between the markers and ``datapedia docs --check``
(run by ``scripts/test.sh``) fails when a file says something else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datapedia.model.results import MEASURED, UPTIME_WINDOWS, Dimension, Status
from datapedia.util.files import atomic_write

GENERATOR = "gegenereerd door datapedia docs uit datapedia/model"

# What a reporter may recognise a problem of each dimension by (the issue form).
ISSUE_HINTS = {
    Dimension.availability: "onbereikbaar, foutcode",
    Dimension.accessibility: "licentie, sleutel, formaat",
    Dimension.timeliness: "verouderde data",
    Dimension.completeness: "lege of ontbrekende velden",
    Dimension.coverage: "stations of segmenten die niet melden",
    Dimension.standards: "OSLO, DCAT-AP, INSPIRE",
}
# What is measured per dimension (the handbook's table); {windows} are the uptime windows.
MEASURES = {
    Dimension.availability: (
        "Antwoordt elk eindpunt, met de verwachte HTTP-status en het verwachte inhoudstype, "
        "binnen de tijdslimiet? Eerst HEAD, zo nodig GET; pas na herhaalde pogingen heet een "
        "eindpunt onbereikbaar. Uit de geschiedenis volgt de beschikbaarheid over {windows} "
        "dagen; enkel een bruikbaar antwoord telt (HTTP 2xx of 3xx met inhoud die gelezen kon "
        "worden); een HTTP-fout, onleesbare inhoud of een time-out telt als onbeschikbaar. "
        '"Sinds" is de eerste mislukte controle van de huidige reeks.'
    ),
    Dimension.accessibility: (
        "Open licentie, open en machineleesbaar formaat, geen registratie of sleutel nodig "
        "(of een gedocumenteerde), bulkdownload, documentatie."
    ),
    Dimension.timeliness: (
        "De ouderdom van de nieuwste waarneming, gelezen uit de data zelf (niet enkel uit "
        "`Last-Modified`), vergeleken met de opgegeven bijwerkfrequentie. Zonder opgegeven "
        "frequentie geldt de gewone stap tussen de waarnemingen in de data, en altijd een "
        'plafond per thema (zie de drempels). Elke uitleg noemt de ouderdom; "verouderd '
        'sinds" is het tijdstip van de nieuwste waarneming.'
    ),
    Dimension.completeness: (
        "Ontbrekende waarden en verplichte velden in een steekproef over het hele antwoord "
        "(begin, einde en een vaste willekeurige greep uit het midden), met frictionless en "
        "Great Expectations; de grootte van de steekproef staat bij de meetgegevens."
    ),
    Dimension.coverage: (
        "Hoeveel meetpunten recent melden (nieuwste waarneming binnen het venster van de "
        "drempels) tegenover hoeveel er verwacht worden; oudere meetpunten worden apart geteld "
        "en bij naam genoemd, meetpunten buiten het gebied van de fiche tellen niet mee; het "
        "waargenomen gebied tegenover het opgegeven gebied, gaten in de tijdreeks."
    ),
    Dimension.standards: (
        "De opgegeven standaarden (OSLO, DCAT-AP Vlaanderen, INSPIRE, ...) en wat daarvan na "
        "te gaan is."
    ),
}


def joined(words: list[str], last: str) -> str:
    """'a, b en c' (``last`` = "en"), or 'a, b, c' when ``last`` is ","."""
    if last == "," or len(words) < 2:
        return ", ".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _labels(dimensions=tuple(Dimension)) -> list[str]:
    return [d.label for d in dimensions]


def _measured_statuses() -> list[Status]:
    """The scale a measurement lands on, mildest first (``unknown`` is off the scale)."""
    return sorted((s for s in Status if s != Status.unknown), key=lambda s: s.rank)


def _measured_keys() -> str:
    return ", ".join(d.value for d in MEASURED)


def _scale() -> str:
    labels = " < ".join(s.label for s in _measured_statuses())
    return f"**{labels}**, of **{Status.unknown.label}**"


def _issue_options() -> str:
    return "".join(f"        - {d.label} ({ISSUE_HINTS[d]})\n" for d in Dimension)


def _measures_table() -> str:
    windows = joined([str(d) for d in UPTIME_WINDOWS], "en")
    rows = [
        f"| {d.label.capitalize()} | {MEASURES[d].format(windows=windows)} |" for d in Dimension
    ]
    return "\n".join(["| Dimensie | Wat we meten |", "|---|---|", *rows]) + "\n"


def _keys_table() -> str:
    rows = [f"| `{d.value}` | {d.label} | {'yes' if d in MEASURED else 'no'} |" for d in Dimension]
    head = '| key | Dutch label | measured (unknown blocks "in orde") |'
    return "\n".join([head, "|---|---|---|", *rows]) + "\n"


def _key_scale() -> str:
    return f"`{' < '.join(s.value for s in _measured_statuses())}`"


def _keys() -> str:
    return joined([f"`{d.value}` ({d.label})" for d in Dimension], ",")


@dataclass(frozen=True)
class Block:
    """Generated text in one file, between ``<open>name: ...<close>`` and ``<open>einde
    name<close>``; a block on lines of its own, or ``inline`` within a sentence."""

    path: str
    name: str
    text: Callable[[], str]
    inline: bool = True
    comment: tuple[str, str] = ("<!-- ", " -->")

    @property
    def begin(self) -> str:
        return f"{self.comment[0]}{self.name}: {GENERATOR}{self.comment[1]}"

    @property
    def end(self) -> str:
        return f"{self.comment[0]}einde {self.name}{self.comment[1]}"


BLOCKS = (
    Block("site/index.md", "dimensies", lambda: joined(_labels(), "en")),
    Block("site/handboek/dimensies.md", "schaal", _scale),
    Block(
        "site/handboek/dimensies.md", "gemeten dimensies", lambda: joined(_labels(MEASURED), "of")
    ),
    Block("site/handboek/dimensies.md", "tabel", _measures_table, inline=False),
    Block("CONTRIBUTING.md", "tabel", _keys_table, inline=False),
    Block("CONTRIBUTING.md", "schaal", _key_scale),
    Block("CONTRIBUTING.md", "gemeten dimensies", _measured_keys),
    Block("checks/README.md", "dimensies", _keys),
    Block("checks/README.md", "gemeten dimensies", _measured_keys),
    Block(".github/PULL_REQUEST_TEMPLATE.md", "dimensies", lambda: joined(_labels(), ",")),
    Block(
        ".github/ISSUE_TEMPLATE/probleem-met-feed.yml",
        "dimensies",
        _issue_options,
        inline=False,
        comment=("# ", ""),
    ),
)


def _replaced(text: str, block: Block) -> str:
    start, end = text.find(block.begin), text.find(block.end)
    if start < 0 or end < start:
        raise ValueError(f"{block.path} mist de markeringen {block.begin} en {block.end}")
    start += len(block.begin)
    if block.inline:
        return text[:start] + block.text() + text[end:]
    indent = text[text.rfind("\n", 0, end) + 1 : end]  # the end marker's own indentation
    return text[:start] + "\n" + block.text() + indent + text[end:]


def _files(root: Path) -> dict[str, tuple[str, str]]:
    """Per file: its text now, and its text with every block generated."""
    files: dict[str, tuple[str, str]] = {}
    for block in BLOCKS:
        if block.path not in files:
            text = (root / block.path).read_text(encoding="utf-8")
            files[block.path] = (text, text)
        old, new = files[block.path]
        files[block.path] = (old, _replaced(new, block))
    return files


def stale_docs(root: Path) -> list[str]:
    """What is wrong, one line a file: a list that differs from the model, a marker missing."""
    try:
        files = _files(root)
    except ValueError as error:
        return [f"{error}."]
    return [
        f"{path}: de gegenereerde lijst is verouderd." for path, (o, n) in files.items() if o != n
    ]


def write_docs(root: Path) -> list[str]:
    """Rewrite the generated lists; the files that changed. ``ValueError``: a marker is missing."""
    changed = []
    for path, (old, new) in _files(root).items():
        if old != new:
            atomic_write(root / path, new.encode())
            changed.append(path)
    return changed
