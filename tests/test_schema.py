"""The committed JSON Schema is the model's, and editors can validate fiches with it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import yaml

from datapedia.cli.main import main
from datapedia.load.schema import (
    SCHEMA_RELATIVE,
    check_schema_file,
    fiche_json_schema,
    write_schema_file,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "fiches"


def test_repository_schema_equals_the_model():
    committed = json.loads((ROOT / SCHEMA_RELATIVE).read_text(encoding="utf-8"))
    assert committed == fiche_json_schema()
    assert check_schema_file(ROOT) is None


def test_schema_header_and_strictness():
    schema = fiche_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:datapedia-vlaanderen:schema:fiche"
    assert schema["title"] == "Fiche van Datapedia Vlaanderen"
    assert schema["description"].startswith("Eén dataset over water of mobiliteit")
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"id", "title", "description", "theme", "owner"}
    protocol = schema["$defs"]["Protocol"]["enum"]
    assert "kiwis" in protocol and "ftp" not in protocol
    jsonschema.Draft202012Validator.check_schema(schema)


def test_written_file_is_sorted_indented_and_ends_with_a_newline(tmp_path):
    path = write_schema_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert path == tmp_path / "schema" / "fiche.schema.json"
    assert text.startswith('{\n  "$defs": {\n')
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == write_schema_file(tmp_path).read_text(encoding="utf-8")


def test_check_reports_a_missing_and_a_stale_file(tmp_path, capsys):
    assert check_schema_file(tmp_path) == (
        "schema/fiche.schema.json ontbreekt. Voer `datapedia schema` uit en commit het resultaat."
    )
    target = tmp_path / SCHEMA_RELATIVE
    target.parent.mkdir()
    shutil.copy(ROOT / SCHEMA_RELATIVE, target)
    assert check_schema_file(tmp_path) is None
    stale = json.loads(target.read_text(encoding="utf-8"))
    del stale["$defs"]["Protocol"]
    target.write_text(json.dumps(stale, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert "is verouderd" in check_schema_file(tmp_path)
    (tmp_path / "mkdocs.yml").touch()  # what makes it a repository
    assert main(["--root", str(tmp_path), "schema", "--check"]) == 1
    assert "schema/fiche.schema.json is verouderd" in capsys.readouterr().err
    assert main(["--root", str(tmp_path), "schema"]) == 0
    assert main(["--root", str(tmp_path), "schema", "--check"]) == 0


def test_editor_schema_accepts_a_valid_fiche_and_flags_what_the_model_refuses():
    validator = jsonschema.Draft202012Validator(
        fiche_json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    fiche = yaml.safe_load((FIXTURES / "water" / "vmm-debieten.yml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(fiche)) == []
    fiche["distributions"][0]["url"] = "javascript:alert(1)"
    fiche["distributions"][0]["protocol"] = "ftp"
    fiche["owner"]["contact"]["emial"] = "x"
    errors = sorted(
        ("/".join(map(str, e.absolute_path)), e.validator) for e in validator.iter_errors(fiche)
    )
    assert errors == [
        ("distributions/0/protocol", "enum"),
        ("distributions/0/url", "pattern"),
        ("owner/contact", "additionalProperties"),
    ]
