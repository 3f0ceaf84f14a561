"""CODEOWNERS is generated from the fiches and `--check` catches drift."""

from pathlib import Path

import factories
import pytest

from datapedia.cli.main import main
from datapedia.github.codeowners import MAINTAINERS_TEAM, check_codeowners, write_codeowners

REPO = Path(__file__).resolve().parents[1]


def write_fiche(root: Path, fiche_id: str, theme: str, github: str | None) -> None:
    owner = {"name": "Vlaamse Milieumaatschappij", "contact": {"email": "data@vmm.be"}}
    if github:
        owner["github"] = github
    factories.write_fiche(root, id=fiche_id, theme=theme, owner=owner)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_fiche(tmp_path, "waterstanden", "water", "@datapedia-vlaanderen/vmm")
    write_fiche(tmp_path, "fietstellingen", "mobiliteit", "@jan-peeters")
    write_fiche(tmp_path, "zonder-eigenaar", "water", None)
    return tmp_path


def test_generated_file_has_header_default_owner_and_one_line_per_fiche(repo: Path):
    path = write_codeowners(repo)
    assert path == repo / ".github" / "CODEOWNERS"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "datapedia codeowners" in lines[0] and lines[0].startswith("#")
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules == [
        f"* {MAINTAINERS_TEAM}",
        f"/fiches/mobiliteit/fietstellingen.yml @jan-peeters {MAINTAINERS_TEAM}",
        f"/fiches/water/waterstanden.yml @datapedia-vlaanderen/vmm {MAINTAINERS_TEAM}",
        f"/config/geheimen.yml {MAINTAINERS_TEAM}",  # last: no fiche line can override it
    ]
    # A fiche without a handle is listed so maintainers see it, but gets no rule.
    assert "#   /fiches/water/zonder-eigenaar.yml" in lines


def test_output_is_deterministic(repo: Path):
    first = write_codeowners(repo).read_bytes()
    assert write_codeowners(repo).read_bytes() == first


def test_check_passes_after_write(repo: Path):
    assert check_codeowners(repo) is not None
    write_codeowners(repo)
    assert check_codeowners(repo) is None


def test_check_reports_missing_file(repo: Path):
    message = check_codeowners(repo)
    assert "ontbreekt" in message and "datapedia codeowners" in message


def test_check_fails_when_a_fiche_is_added(repo: Path):
    write_codeowners(repo)
    write_fiche(repo, "nieuwe-telpalen", "mobiliteit", "@stad-gent/mobiliteit")
    message = check_codeowners(repo)
    assert message is not None
    assert "/fiches/mobiliteit/nieuwe-telpalen.yml @stad-gent/mobiliteit" in message
    assert "ontbreekt" in message


def test_check_fails_when_an_owner_changes(repo: Path):
    write_codeowners(repo)
    write_fiche(repo, "waterstanden", "water", "@datapedia-vlaanderen/dvw")
    message = check_codeowners(repo)
    assert "ontbreekt: /fiches/water/waterstanden.yml @datapedia-vlaanderen/dvw" in message
    assert "te veel:   /fiches/water/waterstanden.yml @datapedia-vlaanderen/vmm" in message
    write_codeowners(repo)
    assert check_codeowners(repo) is None


def test_cli_check_exit_codes(repo: Path, capsys):
    assert main(["--root", str(repo), "codeowners", "--check"]) == 1
    assert "ontbreekt" in capsys.readouterr().err
    assert main(["--root", str(repo), "codeowners"]) == 0
    assert main(["--root", str(repo), "codeowners", "--check"]) == 0


def test_repository_codeowners_matches_the_fiches():
    """Keeps the committed file in sync: run `datapedia codeowners` after changing fiches."""
    assert check_codeowners(REPO) is None
