"""Hostile fiches: each one through ``datapedia validate`` (and ``load_fiches``), next to two
good fiches that must still validate; the text ones also through ``render_site`` and
``mkdocs build``, where no fiche text may become a live script, handler or link.

Every refusal must be a ``file:line:column: field: message`` naming the hostile file and
the line of the offending text.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from datapedia.cli.main import main as cli_main
from datapedia.load import yaml_tree
from datapedia.load.fiches import load_fiches
from datapedia.model.results import (
    Diagnosis,
    Dimension,
    DimensionResult,
    EndpointObservation,
    Status,
)
from datapedia.store.checks import ChecksStore

from .harness import GOOD_IDS, NOW, fiche_data, good_repo, offline_check, survive, write_fiche

REPO = Path(__file__).resolve().parents[2]
BAD_ID = "vijandig"
BAD_REL = Path("fiches") / "water" / f"{BAD_ID}.yml"

BASE = """\
# yaml-language-server: $schema=../../schema/fiche.schema.json
id: vijandig
title: Vijandige fiche
description: Een fiche die de lader probeert te breken.
theme: water
owner:
  name: Testorganisatie
  contact:
    email: data@example.org
licence:
  uri: https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0
  name: Modellicentie Gratis Hergebruik v1.0
update_frequency: P1D
distributions:
  - title: API
    protocol: json
    url: https://example.org/api
    format: application/json
"""


def _keyed(url: str, env: str = "TELRAAM_API_KEY", where: str = "header: X-Api-Key") -> str:
    """BASE with one keyed distribution: ``url`` and the key in ``env``."""
    return BASE.replace("url: https://example.org/api", f"url: {url}") + (
        f"    auth:\n      kind: api-key\n      env: {env}\n      {where}\n"
    )


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle``."""
    return text[: text.index(needle)].count("\n") + 1


@dataclass(frozen=True)
class HostileFiche:
    name: str
    write: Callable[[Path], str]  # writes the hostile file(s); returns the text to point into
    needle: str | None  # the text whose line the problem must name (None: line 1)
    field: str
    message: str  # regex
    forbidden: tuple[str, ...] = ()
    xfail: str | None = None


def _text(content: str | bytes) -> Callable[[Path], str]:
    def write(root: Path) -> str:
        path = root / BAD_REL
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        return data.decode("utf-8", "replace")

    return write


def _laughs() -> str:
    lines = ['x0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return BASE + "\n".join(lines) + "\n"


MARKER_NAME = "PWNED-BY-FICHE"


def _python_tag(root: Path) -> str:
    marker = root.parent / MARKER_NAME
    return _text(
        BASE.replace(
            "description: Een fiche die de lader probeert te breken.",
            f'description: !!python/object/apply:os.system ["touch {marker}"]',
        )
    )(root)


def _symlink_outside(root: Path) -> str:
    outside = root.parent / "buiten-de-repo"
    outside.mkdir()
    (outside / f"{BAD_ID}.yml").write_text(
        BASE.replace("title: Vijandige fiche", "title: GEHEIM-BUITEN-DE-REPO"), encoding="utf-8"
    )
    (root / BAD_REL).parent.mkdir(parents=True, exist_ok=True)
    (root / BAD_REL).symlink_to(outside / f"{BAD_ID}.yml")
    return ""


HOSTILE_FICHES = [
    HostileFiche(
        "yaml-billion-laughs", _text(_laughs()), "*a0", "-", r"alias '\*a0' is niet toegelaten"
    ),
    HostileFiche(
        "ten-megabyte-fiche",
        _text(BASE + "problems:\n" + "  - " + "x" * 10 * 1024 * 1024 + "\n"),
        None,
        "-",
        r"bestand is te groot \(\d+ bytes",
    ),
    HostileFiche(
        "duplicate-keys",
        _text(BASE + "title: Een tweede titel die de eerste stil zou vervangen\n"),
        "title: Een tweede",
        "title",
        r"dubbele sleutel 'title' \(al op regel 3\)",
    ),
    HostileFiche(
        "python-object-apply-tag",
        _python_tag,
        "description: !!python",
        "description",
        r"tag '!!python/object/apply:os.system' is niet toegelaten",
    ),
    HostileFiche(
        "javascript-link-in-description",
        _text(
            BASE.replace(
                "description: Een fiche die de lader probeert te breken.",
                "description: 'Zie [de data](javascript:alert(document.cookie)) voor meer.'",
            )
        ),
        "description: 'Zie",
        "description",
        r"link met 'javascript:' is niet toegelaten",
    ),
    HostileFiche(
        "credentials-in-url",
        _text(BASE + "landing_page: https://beheerder:Wachtw00rd-Geheim@example.org/data\n"),
        "landing_page:",
        "landing_page",
        r"inloggegevens",
        forbidden=("Wachtw00rd-Geheim",),
    ),
    HostileFiche(
        "key-in-url-query",
        _text(
            BASE.replace(
                "url: https://example.org/api",
                "url: https://example.org/api?api_key=sk-live-Uit-De-Fiche",
            )
        ),
        "    url: https://example.org/api?",
        "distributions[0].url",
        r"URL bevat een sleutel in parameter 'api_key'",
        forbidden=("sk-live-Uit-De-Fiche",),
    ),
    HostileFiche(
        "key-instead-of-env-name",
        _text(
            BASE + "    auth:\n      kind: api-key\n      env: sk-live-Sleutel-In-Env\n"
            "      header: X-Api-Key\n"
        ),
        "      env: sk-live",
        "distributions[0].auth.env",
        r"ongeldige waarde; verwacht de naam van een omgevingsvariabele",
        forbidden=("sk-live-Sleutel-In-Env",),
    ),
    HostileFiche(
        "yaml-merge-key",
        _text(BASE + "spatial:\n  <<: {name: Vlaanderen}\n"),
        "  <<:",
        "spatial",
        r"samenvoegsleutel '<<' is niet toegelaten",
    ),
    HostileFiche(
        "related-path-traversal",
        _text(BASE + "related:\n  - ../../etc/passwd\n"),
        "related:",
        "related",
        r"geen geldige fiche-id",
    ),
    HostileFiche(
        "id-path-traversal",
        _text(BASE.replace("id: vijandig", "id: ../../etc/passwd")),
        "id: ../",
        "id",
        r"ongeldige waarde",
    ),
    HostileFiche(
        "symlink-outside-repo",
        _symlink_outside,
        None,
        "-",
        r"symbolische link",
        forbidden=("GEHEIM-BUITEN-DE-REPO",),
    ),
    HostileFiche(
        "zero-update-frequency",
        _text(BASE.replace("update_frequency: P1D", "update_frequency: PT0S")),
        "update_frequency:",
        "update_frequency",
        r"duur",
    ),
    HostileFiche(
        "huge-update-frequency",
        _text(BASE.replace("update_frequency: P1D", "update_frequency: P9999999999D")),
        "update_frequency:",
        "update_frequency",
        r"duur",
    ),
    HostileFiche(
        "deep-flow-nesting",
        _text(BASE + "keywords: " + "[" * 5000 + "]" * 5000 + "\n"),
        "keywords:",
        "-",
        r"te diep genest",
    ),
    # --- issue #18 --------------------------------------------------------------------
    HostileFiche(
        "key-not-bound-to-any-host",
        _text(_keyed("https://example.org/api", env="GITHUB_TOKEN")),
        "      env: GITHUB_TOKEN",
        "distributions[0].auth.env",
        r"'GITHUB_TOKEN' staat niet in config/geheimen\.yml",
    ),
    HostileFiche(
        "home-as-key",
        _text(_keyed("https://example.org/api", env="HOME")),
        "      env: HOME",
        "distributions[0].auth.env",
        r"'HOME' staat niet in config/geheimen\.yml",
    ),
    HostileFiche(
        "key-sent-to-own-host",
        _text(_keyed("https://verzamelaar.example.org/api")),
        "      env: TELRAAM",
        "distributions[0].auth.env",
        r"enkel over https naar telraam-api\.net.*config/geheimen\.yml",
    ),
    HostileFiche(
        "key-over-plain-http",
        _text(_keyed("http://telraam-api.net/v1/reports", where="param: api_key")),
        "      env: TELRAAM",
        "distributions[0].auth.env",
        r"enkel over https",
    ),
    HostileFiche(
        "key-in-user-agent-header",
        _text(_keyed("https://telraam-api.net/v1/reports", where="header: User-Agent")),
        "      header: User-Agent",
        "distributions[0].auth.header",
        r"'User-Agent' is een standaardheader",
    ),
    HostileFiche(
        "crlf-in-auth-header",
        _text(_keyed("https://telraam-api.net/v1", where='header: "X-Api-Key\\r\\nX-Extra: 1"')),
        '      header: "X-Api',
        "distributions[0].auth.header",
        r"zonder spaties, dubbelpunt of regeleinde",
    ),
    HostileFiche(
        "crlf-in-format",
        _text(
            BASE.replace("format: application/json", 'format: "application/json\\r\\nX-Extra: 1"')
        ),
        "    format:",
        "distributions[0].format",
        r"op één regel",
    ),
    HostileFiche(
        "workflow-command-in-echoed-value",
        _text(
            BASE.replace(
                "protocol: json", 'protocol: "json\\n::error file=x.py::gehackt\\u001b[31m"'
            )
        ),
        "    protocol:",
        "distributions[0].protocol",
        r"onbekende waarde 'json\\u000a::error file=x\.py::gehackt\\u001b\[31m'",
    ),
    HostileFiche(
        "not-utf8",
        _text(BASE.encode() + b"privacy: caf\xe9 met camera's\n"),
        "privacy:",
        "-",
        r"geen geldige UTF-8",
    ),
]


def _params() -> list:
    return [
        pytest.param(
            h,
            id=h.name,
            marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=h.xfail)]
            if h.xfail
            else [],
        )
        for h in HOSTILE_FICHES
    ]


@contextlib.contextmanager
def nodes_converted_at_most(root: Path, monkeypatch) -> Iterator[None]:
    """Fail as soon as the loader converts more YAML nodes than the fiches have bytes.

    Every node takes at least a byte of text, so more conversions than bytes means an
    alias was expanded: counting says so at once, where a bomb would otherwise run for
    minutes before a clock noticed.
    """
    limit = sum(p.stat().st_size for p in (root / "fiches").rglob("*") if p.is_file())
    original = yaml_tree.Converter.convert
    calls = 0

    def counted(self, node, path, depth):
        nonlocal calls
        calls += 1
        if calls > limit:
            raise AssertionError(f"more than {limit} YAML nodes converted: an alias was expanded")
        return original(self, node, path, depth)

    with monkeypatch.context() as patch:
        patch.setattr(yaml_tree.Converter, "convert", counted)
        yield


def test_the_node_count_catches_an_expanded_alias(tmp_path, monkeypatch):
    """Without the loader's alias guard the count above must fail (so it can)."""

    class Forgetful(set):
        def add(self, item):  # never remembers a node: an alias is expanded, not refused
            pass

    root = good_repo(tmp_path)
    _text(_laughs())(root)
    original_init = yaml_tree.Converter.__init__

    def forgetful_init(self, parsed, text):
        original_init(self, parsed, text)
        self.seen = Forgetful()

    monkeypatch.setattr(yaml_tree.Converter, "__init__", forgetful_init)
    with (
        pytest.raises(AssertionError, match="alias was expanded"),
        nodes_converted_at_most(root, monkeypatch),
    ):
        load_fiches([root / "fiches"], root=root)


@pytest.mark.fault
@pytest.mark.parametrize("hostile", _params())
def test_hostile_fiche_is_refused_precisely_and_others_still_validate(
    hostile: HostileFiche, tmp_path, capsys, monkeypatch
):
    root = good_repo(tmp_path)
    text = hostile.write(root)
    line = line_of(text, hostile.needle) if hostile.needle else 1

    with nodes_converted_at_most(root, monkeypatch):  # a bomb must not be expanded
        code = survive(["--root", str(root), "validate"])
    out, err = capsys.readouterr()

    assert code == 1, out + err
    pattern = re.compile(
        rf"^{re.escape(str(BAD_REL))}:{line}:(\d+): {re.escape(hostile.field)}: (.*)$", re.M
    )
    match = pattern.search(out)
    assert match, out
    assert re.search(hostile.message, match.group(2)), match.group(2)
    assert "2 geldige fiches" in out, out

    result = load_fiches([root / "fiches"], root=root)
    assert sorted(f.fiche.id for f in result.fiches) == list(GOOD_IDS)
    assert {p.file for p in result.problems} == {BAD_REL}
    assert any(p.line == line and re.search(hostile.message, p.message) for p in result.problems)
    for text_ in hostile.forbidden:
        assert text_ not in out + err
    assert not (tmp_path / MARKER_NAME).exists()


@pytest.mark.fault
@pytest.mark.parametrize("hostile", _params())
def test_check_skips_the_hostile_fiche_and_judges_the_others(hostile, tmp_path, capsys):
    root = good_repo(tmp_path)
    text = hostile.write(root)
    line = line_of(text, hostile.needle) if hostile.needle else 1
    code = survive(offline_check(root, NOW.isoformat()))
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert re.search(rf"^{re.escape(str(BAD_REL))}:{line}:\d+: ", err, re.M), err
    store = ChecksStore(root / "checks")
    assert store.ids() == list(GOOD_IDS)
    for text_ in hostile.forbidden:
        assert text_ not in out + err + "".join(
            p.read_text(encoding="utf-8") for p in (root / "checks").rglob("*.json*")
        )
    assert not (tmp_path / MARKER_NAME).exists()


@pytest.mark.fault
def test_python_tag_is_never_executed_by_check_or_build(tmp_path, capsys):
    """The tag is refused everywhere a fiche is read, not only by validate."""
    root = good_repo(tmp_path)
    _python_tag(root)
    assert cli_main(offline_check(root, NOW.isoformat())) in (0, 1)
    assert cli_main(["--root", str(root), "build", "--render-only", "--now", NOW.isoformat()]) == 1
    out, err = capsys.readouterr()
    assert f"{BAD_REL}:{line_of(BASE, 'description:')}:" in err
    assert not (tmp_path / MARKER_NAME).exists()
    # The site leaves the refused fiche out and still shows the others.
    pages = root / "site" / "generated" / "datasets"
    assert sorted(p.stem for p in pages.glob("*.md")) == list(GOOD_IDS)


# --- hostile text that is valid YAML: it must render inert -----------------------------
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
SVG = "<svg/onload=alert(3)>"
ATTR = '{: onclick="alert(4)" }'
JS_LINK = "[klik](javascript:alert(5))"
HOSTILE = f"{SCRIPT} {IMG} {SVG} {ATTR} {JS_LINK}"
PAYLOAD_MARKS = ("__pwned", "alert(")
_EMBEDS = {"script", "img", "svg", "iframe", "object", "embed"}


class _LiveMarkup(HTMLParser):
    """Real tags and attributes in Markdown or HTML output that came from the payload.

    Escaped text (``&lt;script&gt;``, a handler inside a quoted attribute value) is data,
    not markup, so it is not reported; ``strict`` (generated Markdown, which should hold
    no embeds at all) reports every embed and handler, not only the payload's.
    """

    def __init__(self, strict: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.strict = strict
        self.found: list[str] = []
        self._in_script = False

    def _ours(self, value: str | None) -> bool:
        return self.strict or any(mark in (value or "") for mark in PAYLOAD_MARKS)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = " ".join(f"{k}={v!r}" for k, v in attrs)
        if tag in _EMBEDS and tag != "script" and (self.strict or self._ours(shown)):
            self.found.append(f"<{tag} {shown}>")
        # A JSON-LD block is data the browser never runs (the dataset's DCAT record):
        # the payload may sit in it as text, as long as it cannot leave it.
        self._in_script = tag == "script" and dict(attrs).get("type") != "application/ld+json"
        if tag == "script" and self.strict:
            self.found.append(f"<script {shown}>")
        for name, value in attrs:
            if name.startswith("on") and self._ours(value):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and re.match(
                r"\s*(javascript|vbscript|data)\s*:", value or "", re.I
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and any(mark in data for mark in PAYLOAD_MARKS):
            self.found.append(f"<script>{data[:60]}")


def live_payloads(files: dict[str, str], strict: bool) -> list[str]:
    found = []
    for name, text in files.items():
        parser = _LiveMarkup(strict)
        parser.feed(text)
        parser.close()
        found += [f"{name}: {item}" for item in parser.found]
        if name.endswith(".md"):
            # A Markdown link or image with a script URL, outside the YAML front matter.
            body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
            found += [
                f"{name}: {m.group(0)}" for m in re.finditer(r"\]\(\s*<?\s*javascript", body, re.I)
            ]
    return found


def hostile_text_fiche() -> dict:
    def t(label: str) -> str:
        return f"{label} {HOSTILE}"

    data = fiche_data(
        "html-overal",
        {
            "protocol": "json",
            "url": "https://example.org/api",
            "title": t("distributie"),
        },
        title=t("Titel"),
        description=t("Beschrijving").replace(JS_LINK, "(geen link)"),  # the loader refuses it
        keywords=[t("trefwoord"), SCRIPT],
        owner={
            "name": t("Eigenaar"),
            "contact": {"email": "data@example.org", "name": t("Contact")},
        },
        holder={"name": t("Beheerder"), "role": t("rol")},
        licence={"uri": "https://example.org/licentie", "name": t("Licentie")},
        problems=[t("Probleem"), JS_LINK],
        blockers=[{"kind": "technisch", "level": "rood", "note": t("Blokkade")}],
        partners=[{"name": t("Partner"), "role": t("doet")}],
        privacy=t("Privacy"),
        spatial={"name": t("Gebied")},
        standards=[{"name": t("Standaard")}],
    )
    return data


def seed_hostile_diagnosis(checks: Path, fiche_id: str) -> None:
    """A diagnosis whose feed-controlled text (error detail, parse error) is hostile too."""
    endpoint = EndpointObservation(
        distribution=0,
        title=f"distributie {HOSTILE}",
        protocol="json",
        url="https://example.org/api",
        reachable=True,
        status_code=200,
        error_detail=f"HTTP 500: {HOSTILE}",
        parse_error=f"geen geldige JSON: {HOSTILE}",
    )
    dims = {
        d: DimensionResult(status=Status.fail, summary=f"{d.label}: {HOSTILE}",
                           evidence={"detail": HOSTILE}, findings=["BES-09"])
        for d in Dimension
    }  # fmt: skip
    store = ChecksStore(checks)
    tx = store.begin()
    tx.add(Diagnosis.build(fiche_id, NOW, dims, [endpoint]))
    tx.commit()


@pytest.fixture
def hostile_repo(tmp_path) -> Path:
    root = good_repo(tmp_path)
    write_fiche(root, hostile_text_fiche())
    seed_hostile_diagnosis(root / "checks", "html-overal")
    return root


@pytest.mark.fault
def test_html_in_every_text_field_validates_but_renders_inert(hostile_repo, capsys):
    from datapedia.publish.render import render_site

    assert cli_main(["--root", str(hostile_repo), "validate"]) == 0, capsys.readouterr().out
    out_dir = hostile_repo / "site" / "generated"
    report = render_site(hostile_repo, hostile_repo / "checks", NOW, out_dir=out_dir)
    pages = {
        p.relative_to(out_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in out_dir.rglob("*.md")
    }
    assert "datasets/html-overal.md" in pages and "datasets/goed-een.md" in pages
    assert len(report.written) >= 3
    page = pages["datasets/html-overal.md"]
    # The text is there, escaped, not dropped: readers still see what the owner wrote.
    for label in ("Eigenaar", "Blokkade", "Partner", "Probleem", "Privacy", "trefwoord"):
        assert label in page or any(label in text for text in pages.values()), label
    assert "&lt;script&gt;" in page
    assert live_payloads(pages, strict=True) == []


@pytest.mark.fault
@pytest.mark.skipif(not (REPO / "mkdocs.yml").is_file(), reason="mkdocs.yml is absent")
def test_html_in_every_text_field_is_inert_in_the_built_site(hostile_repo, capsys):
    shutil.copy(REPO / "mkdocs.yml", hostile_repo / "mkdocs.yml")
    shutil.copytree(
        REPO / "site", hostile_repo / "site", ignore=shutil.ignore_patterns("generated"),
        dirs_exist_ok=True,
    )  # fmt: skip
    public = hostile_repo.parent / "public"
    code = cli_main(
        ["--root", str(hostile_repo), "build", "--site-dir", str(public), "--now", NOW.isoformat()]
    )
    out, err = capsys.readouterr()
    assert code == 0, out + err
    html_pages = {
        p.relative_to(public).as_posix(): p.read_text(encoding="utf-8")
        for p in public.rglob("*.html")
        if "html-overal" in p.read_text(encoding="utf-8", errors="replace")
    }
    assert any("html-overal" in name for name in html_pages), sorted(html_pages)[:20]
    # mkdocs' own pages carry the theme's scripts: only markup carrying the payload counts.
    assert live_payloads(html_pages, strict=False) == []


def test_the_live_markup_detector_can_fail():
    """The inertness checks above are only worth something if the detector sees live markup."""
    live = {
        "a.md": f"# x\n\n{SCRIPT}\n",
        "b.md": f"{IMG}\n",
        "c.md": "[klik](javascript:alert(5))\n",
        "d.html": '<a href="javascript:alert(5)">x</a><p onclick="alert(4)">y</p>',
    }
    assert len(live_payloads(live, strict=False)) >= 4
    inert = {"e.md": "&lt;script&gt; &#91;klik&#93;(javascript&#58;alert(5))\n"}
    assert live_payloads(inert, strict=True) == []
    data = '<script type="application/ld+json">{"t": "\\u003cscript>alert(1)"}</script>'
    assert live_payloads({"f.html": data}, strict=False) == []
    breakout = '<script type="application/ld+json">{"t": "</script><script>alert(1)</script>'
    assert live_payloads({"g.html": breakout}, strict=False) != []


# Markdown extensions the site enables (pymdownx.details, admonition, def_list, ...):
# fiche text that starts a line with their syntax must stay text.
BLOCK_SYNTAX = (
    "??? in-orde dp-status dp-ok\n    Alles in orde",
    '???+ success "Opengeklapt"\n    Alles in orde',
    '!!! success "In orde"\n    Alles in orde',
    "::: details\n    Alles in orde",
    "+ een lijst",
    "= een kop",
    ": een definitie",
)


@pytest.mark.fault
@pytest.mark.skipif(not (REPO / "mkdocs.yml").is_file(), reason="mkdocs.yml is absent")
def test_markdown_block_syntax_in_fiche_text_is_inert_in_the_built_site(tmp_path, capsys):
    """Issue #18 finding 8: '??? in-orde dp-status dp-ok' drew a green pill."""
    root = good_repo(tmp_path)
    write_fiche(
        root,
        fiche_data(
            "blokken",
            {"protocol": "json", "url": "https://example.org/api"},
            description="Beschrijving.\n\n" + "\n\n".join(BLOCK_SYNTAX),
            problems=list(BLOCK_SYNTAX),
            privacy=BLOCK_SYNTAX[0],
        ),
    )
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(
        REPO / "site", root / "site", ignore=shutil.ignore_patterns("generated"),
        dirs_exist_ok=True,
    )  # fmt: skip
    public = tmp_path / "public"
    code = cli_main(
        ["--root", str(root), "build", "--site-dir", str(public), "--now", NOW.isoformat()]
    )
    out, err = capsys.readouterr()
    assert code == 0, out + err
    [page] = [p for p in public.rglob("*.html") if "blokken" in (p.stem, p.parent.name)]
    html = page.read_text(encoding="utf-8")
    assert "in-orde dp-status dp-ok" in html  # the text is shown...
    # ...as text: no collapsible block or admonition of the payload's (the page has its
    # own "Technische details" block),
    blocks = re.findall(r'<(?:details|div) class="(?:admonition )?([^"]*)"', html)
    assert not [b for b in blocks if {"in-orde", "success", "details"} & set(b.split())], blocks
    assert "<dd>" not in html and "<h1>een kop" not in html  # no definition, no heading
    assert not re.search(r"<li>\s*een lijst", html)  # no list
