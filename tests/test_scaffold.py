"""``datapedia new`` writes a fiche that validates as written."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from datapedia.cli.main import main
from datapedia.load.fiches import load_fiches
from datapedia.load.scaffold import new_fiche
from datapedia.load.schema import fiche_json_schema
from datapedia.model.fiche import DatasetStatus, Theme


@pytest.mark.parametrize("theme", ["water", "mobiliteit"])
def test_new_fiche_is_valid_as_written(tmp_path, theme):
    path = new_fiche(tmp_path, "vmm-grondwater", theme)
    assert path == tmp_path / "fiches" / theme / "vmm-grondwater.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../schema/fiche.schema.json"
    result = load_fiches([tmp_path / "fiches"], root=tmp_path)
    assert [str(p) for p in result.problems] == []
    [loaded] = result.fiches
    fiche = loaded.fiche
    assert (fiche.id, fiche.theme, fiche.status) == (
        "vmm-grondwater",
        Theme(theme),
        DatasetStatus.ontbrekend,
    )
    assert fiche.distributions == []
    # Placeholders are marked so the owner (and a reviewer) can find them.
    assert fiche.title.startswith("VERVANG")
    assert fiche.owner.name.startswith("VERVANG")
    assert fiche.owner.contact.email == "vervang-mij@voorbeeld.be"
    # The editor, reading the JSON Schema, agrees.
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), fiche_json_schema())


def test_new_fiche_refuses_to_overwrite(tmp_path):
    path = new_fiche(tmp_path, "gent-parkings", "mobiliteit")
    path.write_text("# eigen werk\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        new_fiche(tmp_path, "gent-parkings", "mobiliteit")
    assert path.read_text(encoding="utf-8") == "# eigen werk\n"


@pytest.mark.parametrize("bad_id", ["Gent-Parkings", "-gent", "g", "gent_parkings", "../x", ""])
def test_new_fiche_refuses_a_bad_id(tmp_path, bad_id):
    with pytest.raises(ValueError, match="ongeldige id"):
        new_fiche(tmp_path, bad_id, "water")
    assert not (tmp_path / "fiches").exists()


def test_new_fiche_refuses_an_unknown_theme(tmp_path):
    with pytest.raises(ValueError, match="onbekend thema 'lucht'; kies een van: water, mobiliteit"):
        new_fiche(tmp_path, "vmm-lucht", "lucht")


def test_cli_new_then_validate(tmp_path, capsys):
    (tmp_path / "mkdocs.yml").touch()  # what makes it a repository
    assert (
        main(["--root", str(tmp_path), "new", "awv-fietstellingen", "--theme", "mobiliteit"]) == 0
    )
    assert (
        main(["--root", str(tmp_path), "new", "awv-fietstellingen", "--theme", "mobiliteit"]) == 1
    )
    assert main(["--root", str(tmp_path), "validate"]) == 0
    out = capsys.readouterr()
    assert "bestaat al:" in out.err
    assert out.out.splitlines()[-1] == (
        "1 geldige fiche (mobiliteit: 1), 0 problemen in 1 bestand."
    )
