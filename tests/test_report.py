"""The Markdown report posted on pull requests and in the job summary."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import factories

from datapedia.cli.main import main
from datapedia.github.report import markdown_report, run_report
from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Status
from datapedia.publish.escape import github_code_block as md_code_block
from datapedia.publish.escape import github_text as md_text
from datapedia.store.checks import ChecksStore, HistoryEntry

NIGHT = datetime(2026, 11, 23, 3, 17, tzinfo=UTC)


def fiche_data(fiche_id: str, title: str) -> dict:
    return factories.fiche_data(
        id=fiche_id, title=title, owner={"name": "VMM", "contact": {"email": "data@vmm.be"}}
    )


def failing_diagnosis(fiche_id: str) -> Diagnosis:
    return Diagnosis.build(
        fiche_id,
        NIGHT,
        {
            Dimension.availability: DimensionResult(status=Status.ok, summary="Alles antwoordt."),
            Dimension.timeliness: DimensionResult(
                status=Status.fail,
                summary="Verouderd: nieuwste waarneming is 12 dagen oud.",
                evidence={"newest": "2026-11-11T00:00:00+00:00", "age_days": 12},
                findings=["ACT-03"],
            ),
            Dimension.coverage: DimensionResult(status=Status.warn, summary="7 van 8 melden."),
        },
    )


def make_repo(tmp_path: Path) -> tuple[Path, Path]:
    for fid, title in [("waterstanden", "Waterstanden"), ("afvoer", "Afvoerdebieten")]:
        factories.write_fiche_data(tmp_path, fiche_data(fid, title))
    checks = tmp_path / "checks"
    tx = ChecksStore(checks).begin()
    tx.add(failing_diagnosis("waterstanden"))
    tx.commit()
    return tmp_path, checks


def test_report_has_overview_row_and_dimension_details():
    fiche = Fiche.model_validate(fiche_data("waterstanden", "Waterstanden"))
    text = markdown_report(
        [fiche], {"waterstanden": failing_diagnosis("waterstanden")}, "https://dp.example/"
    )
    overview = next(line for line in text.splitlines() if line.startswith("| [Waterstanden]"))
    # overall, then the six dimensions in order: ok, unknown, fail, unknown, warn, unknown
    assert overview == (
        "| [Waterstanden](https://dp.example/generated/datasets/waterstanden.html) | 🔴 probleem "
        "| 🟢 | ⚪ | 🔴 | ⚪ | 🟠 | ⚪ |"
    )
    assert (
        "| actualiteit | 🔴 probleem | Verouderd: nieuwste waarneming is 12 dagen oud. | `ACT-03` |"
        in text
    )
    assert "| beschikbaarheid | 🟢 in orde | Alles antwoordt. | – |" in text
    assert "2026-11-23 03:17 UTC" in text


def test_fiche_without_diagnosis_is_reported_as_not_checked():
    fiche = Fiche.model_validate(fiche_data("afvoer", "Afvoer"))
    text = markdown_report([fiche], {}, None)
    assert "Nog geen diagnose" in text
    assert "| Afvoer | ⚪ |" in text


def test_untrusted_text_is_inert():
    evil = "X | <!-- datapedia:dataset=ander --> [klik](https://evil.example) @iemand ![img](x)"
    escaped = md_text(evil)
    assert "<!--" not in escaped
    assert not re.search(r"(?<!\\)[\[\]`*_]", escaped)  # no link, image, code or emphasis
    assert "@iemand" not in escaped and "@\u200biemand" in escaped
    assert "|" not in escaped.replace("\\|", "")
    fiche = Fiche.model_validate(fiche_data("waterstanden", evil))
    text = markdown_report([fiche], {}, None)
    assert "<!--" not in text and "@iemand" not in text


def test_code_block_fence_outgrows_backticks_in_evidence():
    block = md_code_block({"error": "```\n@iemand"})
    fence = block.splitlines()[0].removesuffix("json")
    assert len(fence) > 3 and block.endswith(fence)


def test_code_block_is_capped_so_an_issue_fits_githubs_limit():
    block = md_code_block({"stations": [f"station-{i}" for i in range(5000)]})
    assert 4000 < len(block) < 4200 and "ingekort" in block


def test_run_report_writes_only_the_asked_fiches(tmp_path: Path):
    root, checks = make_repo(tmp_path)
    out = tmp_path / "out" / "report.md"
    result = run_report(root, checks, ["waterstanden"], out, site_url="https://dp.example")
    assert (result.output, result.unknown, result.warnings) == (out, [], [])
    text = out.read_text(encoding="utf-8")
    assert "Waterstanden" in text and "Afvoerdebieten" not in text
    assert "`ACT-03`" in text


def test_run_report_unknown_id_exits_1(tmp_path: Path, capsys):
    root, checks = make_repo(tmp_path)
    result = run_report(root, checks, ["bestaat-niet", "afvoer"], None)
    assert capsys.readouterr() == ("", "")  # the library returns; the CLI prints
    assert result.unknown == ["bestaat-niet"] and result.output is None
    assert result.warnings == ["geen fiche met id 'bestaat-niet'"]
    assert "Afvoerdebieten" in result.markdown
    argv = ["--root", str(root), "report", "--checks", str(checks), "--only"]
    assert main([*argv, "bestaat-niet", "afvoer"]) == 1
    captured = capsys.readouterr()
    assert "geen fiche met id 'bestaat-niet'" in captured.err
    assert "Afvoerdebieten" in captured.out and "Nog geen diagnose" in captured.out


def test_cli_report_all_fiches(tmp_path: Path, capsys):
    root, checks = make_repo(tmp_path)
    assert main(["--root", str(root), "report", "--checks", str(checks)]) == 0
    out = capsys.readouterr().out
    assert "Waterstanden" in out and "Afvoerdebieten" in out


def test_report_shows_what_moved_since_the_previous_check(tmp_path: Path):
    root, checks = make_repo(tmp_path)
    earlier = failing_diagnosis("waterstanden").model_copy(
        update={"checked_at": datetime(2026, 11, 22, 3, 17, tzinfo=UTC)}
    )
    earlier.dimensions[Dimension.timeliness] = DimensionResult(status=Status.ok, summary="Vers.")
    earlier.overall = Status.warn
    history = checks / "history" / "waterstanden.jsonl"
    line = HistoryEntry.from_diagnosis(earlier).model_dump_json()
    history.write_text(line + "\n" + history.read_text(), encoding="utf-8")
    out = tmp_path / "report.md"
    assert run_report(root, checks, ["waterstanden"], out).unknown == []
    text = out.read_text(encoding="utf-8")
    overview = next(line for line in text.splitlines() if line.startswith("| Waterstanden"))
    assert overview == "| Waterstanden | 🔴 probleem | 🟢 | ⚪ | 🟢→🔴 | ⚪ | 🟠 | ⚪ |"
    assert "globaal oordeel: 🔴 probleem (vorige controle: 🟠 aandacht)." in text
    assert "| actualiteit | 🔴 probleem (was in orde) |" in text
    assert "| dekkingsgraad | 🟠 aandacht |" in text


def test_first_check_shows_no_change(tmp_path: Path):
    root, checks = make_repo(tmp_path)
    out = tmp_path / "report.md"
    run_report(root, checks, ["waterstanden"], out)
    text = out.read_text(encoding="utf-8")
    assert "→" not in text.split("Legende")[0] and "(was " not in text


def test_github_references_and_urls_are_inert_in_any_locale():
    text = md_text("zie #12, org/repo#3, GH-2, https://phish.example/x en www.phish.be; C# blijft")
    # GitHub autolinks none of these any more; a reader sees the same characters
    for linked in ("#12", "repo#3", "GH-2", "https://", "www.phish"):
        assert linked not in text
    assert text.replace("\u2060", "") == (
        "zie #12, org/repo#3, GH-2, https://phish.example/x en www.phish.be; C# blijft"
    )
    assert "\\u" not in text  # Python escapes: no shell or locale can write '\u2060' literally


def test_table_only_report_fits_a_job_summary(tmp_path: Path, capsys):
    root, _ = make_repo(tmp_path)
    assert main(["--root", str(root), "report", "--table"]) == 0
    table = capsys.readouterr().out
    assert "| dataset | globaal |" in table and "Waterstanden" in table
    assert "### " not in table and "```" not in table  # no sections, no evidence
    assert "artefact" in table
    assert main(["--root", str(root), "report"]) == 0
    full = capsys.readouterr().out
    assert len(table) < len(full) / 2


def test_an_incomplete_night_names_what_was_not_rechecked(tmp_path: Path, capsys):
    root, checks = make_repo(tmp_path)
    incomplete = {"missing_shards": [3], "not_rechecked": ["afvoer"]}
    (checks / "summary.json").write_text(json.dumps({"incomplete": incomplete}))
    assert main(["--root", str(root), "report", "--table"]) == 0
    out = capsys.readouterr().out
    assert "**Onvolledige nacht**" in out and "`afvoer`" in out.split("|")[0]
    # a pull request's report is about its own fiches, not last night
    assert main(["--root", str(root), "report", "--only", "afvoer"]) == 0
    assert "Onvolledige nacht" not in capsys.readouterr().out
