"""render_site: pages for every fiche, escaping of untrusted text, incremental re-rendering."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import markdown
import pytest
from factories import write_fiche_data
from site_fixtures import FICHES, NOW, diagnosis, make_repo

from datapedia.cli import site as cli_site
from datapedia.model.findings import CATALOGUE
from datapedia.model.results import Dimension, Status
from datapedia.model.thresholds import EXPLANATIONS
from datapedia.publish.build import ChecksUnreadable, MkdocsFailed, run_build
from datapedia.publish.escape import ext_link, md, md_block, md_text
from datapedia.publish.render import RenderReport, render_site
from datapedia.store.checks import ChecksStore

IDS = ["fietstellingen", "regen-gent", "waterpeil"]
# The Markdown extensions of mkdocs.yml that can turn text into markup.
EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition", "pymdownx.details", "def_list"]


def to_html(text: str) -> str:
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    return markdown.markdown(body, extensions=EXTENSIONS)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    # Building 60 nights of history through real transactions takes a while: once per module.
    return make_repo(tmp_path_factory.mktemp("template"))


@pytest.fixture
def repo(template, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(template, root)
    return root


def render(root) -> RenderReport:
    return render_site(root, root / "checks", NOW)


def test_every_fiche_gets_a_page_and_the_listing_pages_exist(repo):
    report = render(repo)
    out = repo / "site" / "generated"
    for fid in IDS:
        assert (out / "datasets" / f"{fid}.md").is_file()
    for rel in ["themas/water.md", "themas/mobiliteit.md", "eigenaars/index.md"]:
        assert (out / rel).is_file(), rel
    assert sorted(report.pages_written("datasets/")) == [f"datasets/{i}.md" for i in IDS]
    overview = (out / "fragments" / "overzicht.md").read_text()
    assert overview.count('<tr id="rij-') == 3
    assert '<span data-count-verdict="fail"><span class="dp-status dp-fail"' in overview
    assert "probleem</span> 2</span>" in overview  # waterpeil and fietstellingen fail
    assert "niet beoordeeld</span> 1</span>" in overview  # regen-gent was never checked
    # A worklist: the failures first, the longest-standing first (waterpeil fails since
    # its first check 60 days ago, fietstellingen only since two days), then the rest.
    order = re.findall(r'<tr id="rij-([a-z-]+)"', overview)
    assert order == ["waterpeil", "fietstellingen", "regen-gent"]


def test_never_checked_fiche_says_so_and_every_dimension_is_unknown(repo):
    render(repo)
    page = (repo / "site" / "generated" / "datasets" / "regen-gent.md").read_text()
    assert "Nog niet gecontroleerd" in page
    assert page.count('data-status="unknown"><td>') == 6
    assert "Nog geen geschiedenis" in page
    assert not (repo / "site" / "generated" / "plots" / "regen-gent.svg").exists()


def test_checked_fiche_shows_diagnosis_history_picture_and_age(repo):
    render(repo)
    page = (repo / "site" / "generated" / "datasets" / "waterpeil.md").read_text()
    assert '<tr data-dimension="timeliness" data-status="fail">' in page
    assert '<tr data-dimension="completeness" data-status="warn">' in page
    assert "(vandaag)" in page  # checked an hour before `now`
    assert "../../handboek/dimensies.html#ACT-03" in page
    assert "](../plots/waterpeil.svg)" in page
    assert "[Regenmeters Gent](regen-gent.md)" in page
    svg = (repo / "site" / "generated" / "plots" / "waterpeil.svg").read_bytes()
    assert b"<svg" in svg and b"<script" not in svg and b"@font-face" not in svg
    # The page shows the uptime and "sinds" the judge stored, in Dutch number format.
    assert "30 dagen 86,7%" in page
    assert "Verouderd sinds 13-11-2026" in page


def test_plot_is_deterministic(repo, tmp_path):
    render_site(repo, repo / "checks", NOW, out_dir=tmp_path / "a")
    render_site(repo, repo / "checks", NOW, out_dir=tmp_path / "b")
    a = (tmp_path / "a" / "plots" / "waterpeil.svg").read_bytes()
    assert a == (tmp_path / "b" / "plots" / "waterpeil.svg").read_bytes()


class Elements(HTMLParser):
    """The real elements and attributes of an HTML text (escaped text is not one)."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def dangerous(text: str) -> list[str]:
    found = []
    for tag, attrs in Elements(text).tags:
        if tag in ("script", "iframe", "object", "b", "em"):
            found.append(tag)
        if tag == "img" and not attrs.get("src", "").startswith("../plots/"):
            found.append(f"img[src={attrs.get('src')}]")
        found += [f"{tag}[{a}]" for a in attrs if a.startswith("on")]
        for a in ("href", "src"):
            value = (attrs.get(a) or "").strip().lower()
            if ":" in value and not value.startswith(("http://", "https://", "mailto:")):
                found.append(f"{tag}[{a}={value}]")
    return found


def test_untrusted_fiche_text_cannot_become_html_or_links(repo):
    render(repo)
    out = repo / "site" / "generated"
    pages = ["datasets/fietstellingen.md", "fragments/overzicht.md", "themas/mobiliteit.md"]
    pages += [f"eigenaars/{p.name}" for p in (out / "eigenaars").glob("*.md")]
    for rel in pages:
        assert dangerous(to_html((out / rel).read_text())) == [], rel
    page = to_html((out / "datasets" / "fietstellingen.md").read_text())
    text = unescape(page)
    assert "<script>window.__pwned = 1</script>" in text  # shown as text
    assert "[x](javascript:alert(1))" in text
    assert "Wegen & Verkeer <b>AWV</b>" in text


def test_escaping_filters():
    def rendered(value):
        return markdown.markdown(str(value), extensions=EXTENSIONS)

    link = rendered(md("[x](javascript:alert(1))"))
    assert "<a" not in link and unescape(link) == "<p>[x](javascript:alert(1))</p>"
    assert "<img" not in rendered(md("![y](data:text/html,boo)"))
    assert "onclick" not in rendered(md_block("tekst\n{: onclick=alert(1) }")).split("&#123;")[0]
    assert "<h1" not in rendered(md("# kop"))
    assert "<li" not in rendered(md("- lijst")) and "<ol" not in rendered(md("1. lijst"))
    assert rendered(md('--8<-- "/etc/passwd"')).count("passwd") == 1
    code = rendered(md_text("zet `<b>datasource=4</b>` in de URL"))
    assert "<code>&lt;b&gt;datasource=4&lt;/b&gt;</code>" in code and "<b>" not in code
    assert "<code" not in rendered(md_text("één ` backtick"))
    assert "href" not in ext_link("x", "javascript:alert(1)")
    assert "href" not in ext_link("x", "data:text/html,boo")
    assert 'href="https&#58;//example.org/a?b=1&amp;c=2"' in ext_link(
        "x", "https://example.org/a?b=1&c=2"
    )
    assert ext_link('"><script>', "https://example.org").count("<") == 2  # only <a> and </a>


def test_second_render_skips_everything(repo, monkeypatch):
    first = render(repo)
    parsed = []
    original = ChecksStore.read_history
    monkeypatch.setattr(
        ChecksStore, "read_history", lambda self, fid: parsed.append(fid) or original(self, fid)
    )
    second = render(repo)
    assert parsed == []  # nothing to redo, so no history is even parsed
    assert second.written == [] and second.removed == []
    assert sorted(second.skipped) == sorted(first.written)


def test_one_fiche_change_rerenders_only_that_fiche_and_the_listings(repo):
    render(repo)
    changed = dict(
        FICHES["water/regen-gent.yml"], description="Neerslag per minuut, nu ook Merelbeke."
    )
    write_fiche_data(repo, changed, "water/regen-gent.yml")
    report = render(repo)
    assert "datasets/regen-gent.md" in report.written
    assert "datasets/waterpeil.md" in report.skipped
    assert "datasets/fietstellingen.md" in report.skipped
    assert "plots/waterpeil.svg" in report.skipped
    assert "fragments/velden.md" in report.skipped
    assert not any(p.startswith("plots/") for p in report.written)
    page = (repo / "site" / "generated" / "datasets" / "regen-gent.md").read_text()
    assert "nu ook Merelbeke" in page


def test_a_page_rewritten_shorter_keeps_nothing_of_the_old_one(repo, tmp_path):
    # Pages are written over the old bytes (no truncation first): the tail must go.
    long = dict(FICHES["water/regen-gent.yml"], description="Neerslag per minuut. " * 400)
    write_fiche_data(repo, long, "water/regen-gent.yml")
    render(repo)
    write_fiche_data(repo, dict(long, description="Neerslag, kort."), "water/regen-gent.yml")
    assert "datasets/regen-gent.md" in render(repo).written
    render_site(repo, repo / "checks", NOW, out_dir=tmp_path / "fresh")
    rel = "datasets/regen-gent.md"
    page = (repo / "site" / "generated" / rel).read_bytes()
    assert page == (tmp_path / "fresh" / rel).read_bytes()
    assert b"per minuut" not in page


def test_new_check_rerenders_that_fiche_and_adds_its_plot(repo):
    render(repo)
    tx = ChecksStore(repo / "checks").begin()
    tx.add(diagnosis("regen-gent", NOW - timedelta(hours=2), {Dimension.availability: Status.ok}))
    tx.commit()
    report = render(repo)
    assert {"datasets/regen-gent.md", "plots/regen-gent.svg"} <= set(report.written)
    assert "datasets/waterpeil.md" in report.skipped
    page = (repo / "site" / "generated" / "datasets" / "regen-gent.md").read_text()
    assert "Nog niet gecontroleerd" not in page


def test_deleted_fiche_loses_its_pages(repo):
    render(repo)
    (repo / "fiches" / "mobiliteit" / "fietstellingen.yml").unlink()
    report = render(repo)
    assert {"datasets/fietstellingen.md", "plots/fietstellingen.svg"} <= set(report.removed)
    assert not (repo / "site" / "generated" / "datasets" / "fietstellingen.md").exists()
    assert "datasets/waterpeil.md" in report.skipped


def test_handbook_fragments_come_from_the_code(repo):
    render(repo)
    out = repo / "site" / "generated" / "fragments"
    fields = unescape(to_html((out / "velden.md").read_text()))
    assert "<code>owner.contact.email</code>" in fields and "vcard:hasEmail" in fields
    assert "<code>distributions[].auth.env</code>" in fields
    dims = to_html((out / "dimensies.md").read_text())
    for name in EXPLANATIONS:
        assert f"<code>{name}</code>" in dims, name
    assert "<td>99%</td>" in dims  # uptime_warn_pct, with its unit
    assert "<td>5%</td>" in dims  # missing_warn_ratio 0.05, as a share
    assert "<td>50 MB</td>" in dims and "<td>10 seconden</td>" in dims and "<td>1 uur</td>" in dims
    assert "52428800" not in dims
    findings = (out / "bevindingen.md").read_text()
    for fid in CATALOGUE:
        assert f'<span id="{fid}"></span>' in findings, fid


def test_build_leaves_out_an_invalid_fiche_and_reports_it(repo, capsys):
    (repo / "fiches" / "water" / "kapot.yml").write_text("id: Kapot\n", encoding="utf-8")
    result = run_build(repo, repo / "checks", None, NOW, render_only=True, strict=True)
    assert not result.complete and [p for p in result.problems if "kapot.yml" in p]
    assert capsys.readouterr().err == ""  # the library says nothing; the CLI says it
    code = cli_site.build(repo, repo / "checks", None, NOW, render_only=True, strict=True)
    assert code == 1
    assert "kapot.yml" in capsys.readouterr().err
    pages = sorted(p.stem for p in (repo / "site" / "generated" / "datasets").glob("*.md"))
    assert pages and "kapot" not in pages


def test_build_returns_what_it_left_out_and_raises_when_checks_cannot_be_read(repo, capsys):
    (repo / "checks" / "waterpeil.json").write_text('{"id": "waterpeil", ', encoding="utf-8")
    result = run_build(repo, repo / "checks", None, NOW, render_only=True, strict=True)
    assert [q for q in result.quarantined if "waterpeil.json" in q] and not result.complete
    assert set(result.quarantined) <= set(result.problems)
    assert result.site_dir is None and "datasets/waterpeil.md" in result.pages_written

    (repo / "checks" / "history" / "regen-gent.jsonl").write_text("kapot\n", encoding="utf-8")
    with pytest.raises(ChecksUnreadable, match="regen-gent.jsonl"):
        run_build(repo, repo / "checks", None, NOW, render_only=True, strict=True)
    assert capsys.readouterr() == ("", "")
    assert cli_site.build(repo, repo / "checks", None, NOW, render_only=True, strict=True) == 2
    assert "checks/ is niet leesbaar" in capsys.readouterr().err


def test_build_strict_failure_is_exit_1_with_the_reason(repo, capsys):
    (repo / "site" / "handboek" / "kapot.md").write_text("# Kapot\n\n[weg](bestaat-niet.md)\n")
    with pytest.raises(MkdocsFailed) as failed:
        run_build(repo, repo / "checks", None, NOW, render_only=False, strict=True)
    assert "strikte modus" in str(failed.value) and "bestaat-niet.md" in str(failed.value)
    code = cli_site.build(repo, repo / "checks", None, NOW, render_only=False, strict=True)
    assert code == 1
    err = capsys.readouterr().err
    assert "strikte modus" in err and "bestaat-niet.md" in err


def test_pages_made_by_forked_workers_are_the_pages_made_in_process(
    repo, monkeypatch, single_threaded
):
    from datapedia.publish import outputs
    from datapedia.util import parallel

    out = repo / "site" / "generated"
    render(repo)
    serial = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    shutil.rmtree(out)
    monkeypatch.setattr(outputs, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    pools = []

    class CountedPool(parallel.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", CountedPool)
    report = render(repo)
    parallel = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert len(pools) == 1
    assert parallel == serial
    assert sorted(report.written) == sorted(str(p) for p in serial if p.name != ".manifest.json")


def test_dataset_head_comes_before_the_description_and_evidence_is_dutch(repo):
    render(repo)
    page = (repo / "site" / "generated" / "datasets" / "waterpeil.md").read_text()
    head, details = page.index('id="dp-samenvatting"'), page.index("Technische details")
    assert head < page.index("## Wat is het?") < details
    assert 'data-verdict="fail"' in page and "Verbeteringen: <strong" in page
    assert page.count('<li data-kind="') == 5  # every kind of blocker, also when none
    assert "/issues/new?template=correctie-fiche.yml" in page
    assert "/edit/main/fiches/water/waterpeil.yml" in page
    evidence = page[details:]
    assert "| gemeten | 1,5 |" in evidence and "| detail | a&#58; 1 |" in evidence
    for english in ("None", "True", "False", "Toegang: none", "{&#34;"):
        assert english not in page, english


def test_missing_dataset_has_its_own_state_without_plot_or_check_date(repo):
    missing = {
        "id": "riolering",
        "title": "Overstorten van de riolering",
        "description": "Wanneer en waar een overstort in werking treedt.",
        "theme": "water",
        "status": "ontbrekend",
        "owner": {"name": "Aquafin", "contact": {"email": "info@aquafin.be"}},
    }
    write_fiche_data(repo, missing, "water/riolering.yml")
    tx = ChecksStore(repo / "checks").begin()
    from datapedia.model.results import Diagnosis

    tx.add(Diagnosis.build("riolering", NOW, {}, missing=True))
    tx.commit()
    render(repo)
    out = repo / "site" / "generated"
    page = (out / "datasets" / "riolering.md").read_text()
    assert 'data-verdict="ontbrekend"' in page and "bestaat nog niet" in page
    assert "Gecontroleerd op" not in page and "dp-history" not in page
    assert not (out / "plots" / "riolering.svg").exists()
    row = re.search(
        r'<tr id="rij-riolering".*?</tr>', (out / "fragments/overzicht.md").read_text(), re.S
    )
    assert "bestaat niet" in row[0] and "dp-missing" in row[0]


def test_banner_only_when_the_newest_check_is_older_than_36_hours(repo):
    render(repo)
    theme = repo / "site" / "generated" / "theme" / "main.html"
    assert "{% block announce %}{% endblock %}" in theme.read_text()
    render_site(repo, repo / "checks", NOW + timedelta(days=10))
    text = theme.read_text()
    assert 'id="dp-verouderd"' in text and "10 dagen geleden" in text


def test_owner_page_lists_are_lists_with_partner_work(repo):
    render(repo)
    page = (repo / "site" / "generated" / "eigenaars" / "stad-gent.md").read_text()
    html_page = to_html(page)
    assert "<li>" in html_page and "telpalen doorgeven" in html_page
    awv = next((repo / "site" / "generated" / "eigenaars").glob("wegen-verkeer*.md")).read_text()
    # A blank line after the verdict: the problems are a list, not one paragraph.
    assert re.search(r"Oordeel: .*\n\n- ", awv)
    assert "Partner **Stad Gent**" in awv


def test_an_organisation_named_only_as_partner_gets_its_page(repo):
    fiche = dict(
        FICHES["water/regen-gent.yml"],
        partners=[{"name": "Provincie Antwerpen", "role": "regenmeters op provinciale gebouwen"}],
    )
    write_fiche_data(repo, fiche, "water/regen-gent.yml")
    render(repo)
    out = repo / "site" / "generated"
    page = (out / "eigenaars" / "provincie-antwerpen.md").read_text()
    assert "geen eigenaar van een dataset" in page
    assert "[Regenmeters Gent](../datasets/regen-gent.md)" in page
    assert "regenmeters op provinciale gebouwen" in page
    assert (
        "[Provincie Antwerpen](provincie-antwerpen.md) | 0 |"
        in (out / "eigenaars" / "index.md").read_text()
    )
    dataset = (out / "datasets" / "regen-gent.md").read_text()
    assert '<a href="../eigenaars/provincie-antwerpen.html">Provincie Antwerpen</a>' in dataset


def test_a_check_written_before_verdicts_existed_gets_the_judges_verdict(repo):
    import json

    path = repo / "checks" / "fietstellingen.json"
    data = json.loads(path.read_text())
    del data["verdict"], data["verdict_reason"]
    path.write_text(json.dumps(data))
    render(repo)
    overview = (repo / "site" / "generated" / "fragments" / "overzicht.md").read_text()
    row = re.search(r'<tr id="rij-fietstellingen".*?</tr>', overview, re.S)[0]
    assert 'data-verdict="fail"' in row
