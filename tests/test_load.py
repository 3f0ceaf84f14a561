"""Loading fiches: every problem of every file, with its line, in Dutch."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import SCHEMA_COMMENT, VALID, variant, write

from datapedia.cli.main import main
from datapedia.load.fiches import MAX_FILE_BYTES, load_fiches

FIXTURES = Path(__file__).parent / "fixtures" / "fiches"


def problems_of(tmp_path: Path, text: str, fiche_id: str = "gent-parkings") -> list[str]:
    write(tmp_path, fiche_id, text)
    result = load_fiches([tmp_path / "fiches"], root=tmp_path)
    assert result.files_read == 1
    if result.problems:
        assert result.fiches == []
    return [str(p) for p in result.problems]


def at(line: int, column: int, field: str, message: str, fiche_id: str = "gent-parkings") -> str:
    return f"fiches/mobiliteit/{fiche_id}.yml:{line}:{column}: {field}: {message}"


def test_valid_fiche_loads(tmp_path):
    path = write(tmp_path, "gent-parkings", VALID)
    result = load_fiches([tmp_path / "fiches"], root=tmp_path)
    assert result.problems == []
    assert result.files_read == 1
    assert [(f.path, f.fiche.id, f.fiche.owner.contact.email) for f in result.fiches] == [
        (path, "gent-parkings", "mobiliteit@stad.gent")
    ]


def test_fixture_fiches_are_valid_and_related_to_each_other():
    result = load_fiches([FIXTURES])
    assert [str(p) for p in result.problems] == []
    assert sorted(f.fiche.id for f in result.fiches) == ["vmm-debieten", "vmm-waterpeilen"]


def test_missing_field_points_at_the_parent_mapping(tmp_path):
    text = variant("gent-parkings", "    email: mobiliteit@stad.gent\n", "    name: Dienst\n")
    assert problems_of(tmp_path, text) == [
        at(8, 3, "owner.contact.email", "verplicht veld ontbreekt")
    ]


def test_missing_top_level_field_points_at_the_first_key(tmp_path):
    text = variant("gent-parkings", "title: Bezetting parkings Gent\n")
    assert problems_of(tmp_path, text) == [at(2, 1, "title", "verplicht veld ontbreekt")]


def test_unknown_field_suggests_the_right_name(tmp_path):
    text = variant("gent-parkings", "    email:", "    emial:")
    assert problems_of(tmp_path, text) == [
        at(8, 3, "owner.contact.email", "verplicht veld ontbreekt"),
        at(9, 5, "owner.contact.emial", "onbekend veld (tikfout?); bedoelt u 'email'?"),
    ]


UNKNOWN_FTP = (
    "onbekende waarde 'ftp'; verwacht een van: kiwis, wfs, dov-xml, opendatasoft, "
    "telraam, brussels-mobility, csv, json, html"
)


def test_unknown_protocol_lists_the_valid_ones(tmp_path):
    text = variant("gent-parkings", "protocol: opendatasoft", "protocol: ftp")
    assert problems_of(tmp_path, text) == [at(15, 15, "distributions[0].protocol", UNKNOWN_FTP)]


def test_bad_email_url_and_pattern(tmp_path):
    text = variant("gent-parkings", "mobiliteit@stad.gent", "mobiliteit-at-stad.gent")
    text = text.replace("url: https://data.stad.gent", "url: ftp://data.stad.gent")
    text = text.replace("      kind: none\n", "      kind: api-key\n      env: geheim\n")
    text = text.replace("  name: Stad Gent\n", "  name: Stad Gent\n  github: stadgent\n")
    assert problems_of(tmp_path, text) == [
        at(
            8,
            11,
            "owner.github",
            "ongeldige waarde 'stadgent'; verwacht een GitHub-gebruiker of -team, "
            "bv. @gebruiker of @organisatie/team",
        ),
        at(
            10,
            12,
            "owner.contact.email",
            "geen geldig e-mailadres 'mobiliteit-at-stad.gent'; verwacht bv. naam@organisatie.be",
        ),
        at(
            17,
            10,
            "distributions[0].url",
            "alleen http:// of https:// is toegelaten, niet "
            "'ftp://data.stad.gent/api/explore/v2.1/catalog/datasets/be...'",
        ),
        # The value of an auth field is never echoed: it may be a pasted secret.
        at(
            21,
            12,
            "distributions[0].auth.env",
            "ongeldige waarde; verwacht de naam van een omgevingsvariabele (HOOFDLETTERS, "
            "cijfers en _), bv. TELRAAM_API_KEY; nooit de sleutel zelf",
        ),
    ]


def test_type_errors_say_what_was_expected(tmp_path):
    text = variant("gent-parkings", "title: Bezetting parkings Gent", "title: yes")
    text = text.replace("    auth:\n", "    params:\n      where: [1, 2]\n    auth:\n")
    text = text.replace("  name: Stad Gent", "  name:")
    assert problems_of(tmp_path, text) == [
        at(3, 8, "title", "verwacht tekst (zet de waarde tussen aanhalingstekens)"),
        at(7, 3, "owner.name", "verwacht tekst (het veld is leeg)"),
        at(
            19,
            7,
            "distributions[0].params.where",
            "verwacht tekst of een geheel getal of een getal of true of false",
        ),
    ]


def test_model_rule_without_a_field_is_a_file_level_problem(tmp_path):
    text = VALID.split("distributions:")[0]
    assert problems_of(tmp_path, text) == [
        at(2, 1, "-", "een bestaande dataset heeft minstens één distributie")
    ]


def test_yaml_syntax_error_has_its_line(tmp_path):
    text = variant("gent-parkings", "theme: mobiliteit", "theme: [mobiliteit")
    assert problems_of(tmp_path, text) == [
        at(
            6,
            6,
            "-",
            "YAML-syntaxfout: verwacht ',' of ']': de lijst tussen [ ] van regel 5 "
            "is niet gesloten",
        )
    ]


def test_duplicate_keys_are_reported_each_with_its_line(tmp_path):
    text = variant("gent-parkings", "theme: mobiliteit\n", "theme: mobiliteit\ntheme: water\n")
    text = text.replace("    format: application/json\n", "    format: a\n    format: b\n")
    assert problems_of(tmp_path, text) == [
        at(6, 1, "theme", "dubbele sleutel 'theme' (al op regel 5); enkel de eerste wordt gelezen"),
        at(
            19,
            5,
            "distributions[0].format",
            "dubbele sleutel 'format' (al op regel 18); enkel de eerste wordt gelezen",
        ),
    ]


def test_python_tag_is_refused_and_never_constructed(tmp_path):
    text = variant(
        "gent-parkings",
        "title: Bezetting parkings Gent",
        "title: !!python/object/apply:os.system ['touch pwned']",
    )
    assert problems_of(tmp_path, text) == [
        at(
            3,
            8,
            "title",
            "tag '!!python/object/apply:os.system' is niet toegelaten; "
            "schrijf gewone YAML zonder tags",
        )
    ]
    assert not Path("pwned").exists()


def test_local_tag_and_merge_key_are_refused(tmp_path):
    text = variant("gent-parkings", "  name: Stad Gent\n", "  name: !stad Gent\n")
    text = text.replace("  contact:\n", "  <<: {x: 1}\n  contact:\n")
    assert problems_of(tmp_path, text) == [
        at(7, 9, "owner.name", "tag '!stad' is niet toegelaten; schrijf gewone YAML zonder tags"),
        at(
            8,
            3,
            "owner",
            "samenvoegsleutel '<<' is niet toegelaten; schrijf gewone YAML zonder tags",
        ),
    ]


def test_alias_is_refused_at_the_alias(tmp_path):
    text = variant("gent-parkings", "  name: Stad Gent\n", "  name: &n Stad Gent\n")
    text = text.replace("  name: Modellicentie", "  name: *n\n  x: Modellicentie")
    assert problems_of(tmp_path, text) == [
        at(
            12,
            9,
            "-",
            "alias '*n' is niet toegelaten: YAML-ankers (&) en -aliassen (*) worden geweigerd; "
            "schrijf de waarde voluit",
        )
    ]


def test_billion_laughs_is_refused_quickly(tmp_path):
    lines = [SCHEMA_COMMENT, "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 30):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    [problem] = problems_of(tmp_path, "\n".join(lines) + "\n")
    assert problem.startswith(at(3, 10, "-", "alias '*l0' is niet toegelaten"))


def test_deep_nesting_is_refused_before_libyaml_recurses(tmp_path):
    depth = 100_000
    text = f"{SCHEMA_COMMENT}\nid: " + "[" * depth + "]" * depth + "\n"
    assert problems_of(tmp_path, text) == [at(2, 54, "-", "te diep genest (meer dan 50 niveaus)")]


def test_nesting_guard_runs_before_pyyaml_sees_the_text(tmp_path, monkeypatch):
    """Our limit must not depend on a PyYAML release's own limit or wording."""
    from datapedia.load import yaml_tree

    def no_yaml(*args, **kwargs):
        raise AssertionError("PyYAML was given a document deeper than our limit")

    monkeypatch.setattr(yaml_tree.yaml, "compose", no_yaml)
    monkeypatch.setattr(yaml_tree.yaml, "parse", no_yaml)
    refused = at(2, 54, "-", "te diep genest (meer dan 50 niveaus)")
    for depth in (51, 2_000):
        text = f"{SCHEMA_COMMENT}\nid: " + "[" * depth + "]" * depth + "\n"
        assert problems_of(tmp_path, text) == [refused]


def test_compact_sequences_are_nesting_too(tmp_path):
    text = f"{SCHEMA_COMMENT}\nkeywords:\n  " + "- " * 3_000 + "x\n"
    assert problems_of(tmp_path, text) == [at(3, 101, "-", "te diep genest (meer dan 50 niveaus)")]


def test_brackets_in_text_are_not_nesting():
    from datapedia.load.yaml_guard import find_too_deep

    deep = "[" * 80 + "]" * 80
    for text in (
        f'title: "{deep}"\n',
        f"title: '{deep}'\n",
        f"title: x  # {deep}\n",
        f"description: |\n  {deep}\n  meer tekst\nid: x\n",
        f"title: camera's {deep}\n",
        f"title: 'it''s {deep}'\n",
    ):
        assert find_too_deep(text) is None, text
    assert find_too_deep(f"title: x\nid: {deep}\n").line == 2


def test_block_nesting_is_limited_too(tmp_path):
    text = SCHEMA_COMMENT + "\nid:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 60))
    assert problems_of(tmp_path, text) == [at(53, 52, "-", "te diep genest (meer dan 50 niveaus)")]


def test_explicit_tag_that_does_not_fit_the_value(tmp_path):
    text = variant("gent-parkings", "  name: Stad Gent", "  name: !!int Gent")
    assert problems_of(tmp_path, text) == [
        at(7, 9, "owner.name", "'Gent' past niet bij de tag; schrijf gewone YAML zonder tags")
    ]


def test_symlinked_fiche_is_not_read(tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text("id: geheim-1234\n", encoding="utf-8")
    link = tmp_path / "fiches" / "mobiliteit" / "gent-parkings.yml"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    result = load_fiches([tmp_path / "fiches"], root=tmp_path)
    assert [str(p) for p in result.problems] == [
        at(1, 1, "-", "een fiche mag geen symbolische link zijn")
    ]


def test_too_large_file_is_one_problem(tmp_path):
    text = VALID + "# " + "x" * MAX_FILE_BYTES + "\n"
    assert problems_of(tmp_path, text) == [
        at(1, 1, "-", f"bestand is te groot ({len(text)} bytes; hoogstens {MAX_FILE_BYTES})")
    ]


def test_non_utf8_is_one_problem_at_the_bad_byte(tmp_path):
    path = write(tmp_path, "gent-parkings", "")
    path.write_bytes(VALID.replace("Stad Gent\n", "Stad \xe9Gent\n").encode("latin-1"))
    result = load_fiches([path], root=tmp_path)
    assert [str(p) for p in result.problems] == [
        at(7, 14, "-", "bestand is geen geldige UTF-8-tekst; sla het op als UTF-8")
    ]


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [("- id: x\n", 2, 1), ("just text\n", 2, 1)],
)
def test_top_level_must_be_a_mapping(tmp_path, body, line, column):
    assert problems_of(tmp_path, SCHEMA_COMMENT + "\n" + body) == [
        at(line, column, "-", "een fiche moet een mapping zijn (sleutel: waarde per regel)")
    ]


def test_empty_file_is_one_problem(tmp_path):
    assert problems_of(tmp_path, SCHEMA_COMMENT + "\n") == [
        at(1, 1, "-", "bestand bevat geen fiche (leeg document)")
    ]


def test_schema_comment_is_required_on_line_one(tmp_path):
    expected = (
        "de eerste regel moet '# yaml-language-server: $schema=../../schema/fiche.schema.json' "
        "zijn (zo kent uw editor het schema)"
    )
    assert problems_of(tmp_path, VALID.split("\n", 1)[1]) == [at(1, 1, "-", expected)]
    wrong = VALID.replace("$schema=../../", "$schema=../")
    assert problems_of(tmp_path, wrong) == [at(1, 33, "-", expected)]
    remote = VALID.replace("$schema=../../", "$schema=https://evil.example/")
    assert problems_of(tmp_path, remote) == [at(1, 33, "-", expected)]


def test_credentials_and_keys_in_urls_are_refused_without_echoing_them(tmp_path):
    text = variant(
        "gent-parkings",
        "url: https://data.stad.gent/api",
        "url: https://jan:hunter2@data.stad.gent/api",
    )
    text = text.replace("/records\n", "/records?apikey=s3cr3t&limit=1\n")
    text = text.replace("      kind: none\n", "      kind: none\n    params:\n      token: abc\n")
    problems = problems_of(tmp_path, text)
    assert problems == [
        at(
            16,
            10,
            "distributions[0].url",
            "URL bevat inloggegevens (gebruiker:wachtwoord@); zet nooit een geheim in een fiche: "
            "gebruik auth.env",
        ),
        at(
            16,
            10,
            "distributions[0].url",
            "URL bevat een sleutel in parameter 'apikey'; zet nooit een geheim in een fiche: "
            "gebruik auth.env met auth.param",
        ),
        at(
            21,
            14,
            "distributions[0].params.token",
            "zet nooit een sleutel in params: gebruik auth.env met auth.param",
        ),
    ]
    assert not any("hunter2" in p or "s3cr3t" in p for p in problems)


@pytest.mark.parametrize("scheme", ["javascript:alert(1)", "data:text/html,<b>x</b>"])
def test_javascript_and_data_urls_are_refused(tmp_path, scheme):
    text = variant(
        "gent-parkings",
        "url: https://data.stad.gent/api/explore/v2.1/catalog/datasets/bezetting/records",
        f"url: '{scheme}'",
    )
    text = text.replace("elke minuut.", f"elke [minuut]({scheme}).")
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert problems[0].startswith(
        at(16, 10, "distributions[0].url", "alleen http:// of https:// is toegelaten, niet '")
    )
    # The description is only checked once the fiche is otherwise valid.
    text = VALID.replace("elke minuut.", f"elke [minuut]({scheme}).")
    assert problems_of(tmp_path, text) == [
        at(
            4,
            14,
            "description",
            f"link met '{scheme.split(':')[0]}:' is niet toegelaten; enkel http(s)",
        )
    ]


def test_duplicate_id_names_the_earlier_file(tmp_path):
    write(tmp_path, "gent-parkings", VALID)
    write(tmp_path, "gent-parkings", VALID.replace("mobiliteit\n", "water\n"), theme="water")
    result = load_fiches([tmp_path / "fiches"], root=tmp_path)
    assert [str(p) for p in result.problems] == [
        "fiches/water/gent-parkings.yml:2:5: id: id 'gent-parkings' is al gebruikt in "
        "fiches/mobiliteit/gent-parkings.yml"
    ]
    assert [f.path.parent.name for f in result.fiches] == ["mobiliteit"]


def test_file_name_and_folder_must_match_id_and_theme(tmp_path):
    write(tmp_path, "gent-parking", VALID)
    write(tmp_path, "gent-fietsen", variant("gent-fietsen"), theme="water")
    lijn = variant("gent-lijn").replace("=../../", "=../")
    (tmp_path / "fiches" / "gent-lijn.yml").write_text(lijn, encoding="utf-8")
    result = load_fiches([tmp_path / "fiches"], root=tmp_path)
    assert [str(p) for p in result.problems] == [
        "fiches/gent-lijn.yml:1:1: -: een fiche hoort in een themamap: fiches/<theme>/<id>.yml",
        "fiches/mobiliteit/gent-parking.yml:2:5: id: id 'gent-parkings' verschilt van de "
        "bestandsnaam 'gent-parking.yml'; noem het bestand gent-parkings.yml",
        "fiches/water/gent-fietsen.yml:5:8: theme: theme 'mobiliteit' past niet bij de map "
        "'water'; zet het bestand in fiches/mobiliteit/",
    ]
    assert result.fiches == []


def test_related_ids_must_exist(tmp_path):
    write(tmp_path, "gent-fietsen", variant("gent-fietsen"))
    write(tmp_path, "gent-parkings", VALID + "related:\n  - gent-fietsen\n  - gent-bestaat-niet\n")
    result = load_fiches([tmp_path / "fiches"], root=tmp_path)
    assert [str(p) for p in result.problems] == [
        at(22, 5, "related[1]", "verwante fiche 'gent-bestaat-niet' bestaat niet")
    ]
    assert [f.fiche.id for f in result.fiches] == ["gent-fietsen"]
    # An invalid fiche still counts as existing: no cascade of errors.
    write(tmp_path, "gent-fietsen", variant("gent-fietsen", "theme: mobiliteit", "theme: x"))
    result = load_fiches([tmp_path / "fiches" / "mobiliteit" / "gent-parkings.yml"], tmp_path)
    assert [p.message for p in result.problems] == [
        "verwante fiche 'gent-bestaat-niet' bestaat niet"
    ]


def test_every_file_is_read_and_missing_paths_are_reported(tmp_path):
    write(tmp_path, "gent-parkings", VALID)
    write(tmp_path, "gent-fietsen", variant("gent-fietsen", "title: B", "title: !x B"))
    (tmp_path / "fiches" / "mobiliteit" / "notes.txt").write_text("niet lezen")
    yaml_suffix = tmp_path / "fiches" / "mobiliteit" / "gent-lijn.yaml"
    yaml_suffix.write_text(variant("gent-lijn"), encoding="utf-8")
    result = load_fiches([tmp_path / "fiches", tmp_path / "nope"], root=tmp_path)
    assert result.files_read == 3
    assert [f.fiche.id for f in result.fiches] == ["gent-lijn", "gent-parkings"]
    assert [(str(p.file), p.line) for p in result.problems] == [
        ("fiches/mobiliteit/gent-fietsen.yml", 3),
        ("nope", 1),
    ]


def test_must_show_validate_reports_every_problem_and_counts_the_good_fiche(tmp_path, capsys):
    write(tmp_path, "gent-parkings", VALID)
    write(tmp_path, "gent-syntax", variant("gent-syntax", "theme: mobiliteit", "theme: [x"))
    no_owner = variant("gent-eigenaar")
    no_owner = no_owner.replace(no_owner[no_owner.index("owner:") : no_owner.index("licence:")], "")
    write(tmp_path, "gent-eigenaar", no_owner)
    write(tmp_path, "gent-ftp", variant("gent-ftp", "protocol: opendatasoft", "protocol: ftp"))
    # The same id in the other theme's folder: consistent on its own, a duplicate here.
    write(tmp_path, "gent-parkings", VALID.replace("theme: mobiliteit", "theme: water"), "water")

    assert main(["--root", str(tmp_path), "validate"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == [
        "fiches/mobiliteit/gent-eigenaar.yml:2:1: owner: verplicht veld ontbreekt",
        at(15, 15, "distributions[0].protocol", UNKNOWN_FTP, "gent-ftp"),
        "fiches/mobiliteit/gent-syntax.yml:6:6: -: YAML-syntaxfout: "
        "verwacht ',' of ']': de lijst tussen [ ] van regel 5 is niet gesloten",
        "fiches/water/gent-parkings.yml:2:5: id: id 'gent-parkings' is al gebruikt in "
        "fiches/mobiliteit/gent-parkings.yml",
    ]
    assert lines[-1] == "1 geldige fiche (mobiliteit: 1), 4 problemen in 5 bestanden."


# --- the parse cache ----------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def real_repo(tmp_path):
    import shutil

    shutil.copytree(REPO / "fiches", tmp_path / "fiches")
    shutil.copytree(REPO / "config", tmp_path / "config")  # where the fiches' keys may go
    return tmp_path


def test_a_second_load_reads_unchanged_fiches_from_the_cache(real_repo, monkeypatch):
    from datapedia.load import yaml_tree
    from datapedia.load.fiches import FicheCache, load_repository

    first = load_repository(real_repo)
    assert first.problems == [] and len(first.fiches) == 14
    assert FicheCache.for_root(real_repo).path.is_file()
    assert not (real_repo / ".cache").exists()  # never inside the repository

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml_tree.yaml, "compose", no_parsing)
    second = load_repository(real_repo)
    assert [(f.path, f.fiche, f.digest) for f in second.fiches] == [
        (f.path, f.fiche, f.digest) for f in first.fiches
    ]


def test_a_changed_fiche_is_parsed_and_checked_again(real_repo):
    from datapedia.load.fiches import load_repository

    load_repository(real_repo)
    path = real_repo / "fiches" / "water" / "vmm-waterstanden.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle: ", "\ntitle:\n  - lijst\nx: ", 1), encoding="utf-8")
    result = load_repository(real_repo)
    assert {p.field for p in result.problems if p.file.name == path.name} >= {"title", "x"}
    assert len(result.fiches) == 13


def test_checks_across_files_still_point_at_the_line_in_a_cached_fiche(real_repo):
    from datapedia.load.fiches import load_repository

    load_repository(real_repo)  # every fiche now cached
    original = real_repo / "fiches" / "water" / "vmm-waterstanden.yml"
    # a new file that sorts first takes the id, so the cached file is the duplicate
    (original.parent / "aaa-kopie.yml").write_bytes(original.read_bytes())
    cached = [p for p in load_repository(real_repo).problems if p.file.name == original.name]
    uncached = [
        p
        for p in load_fiches([real_repo / "fiches"], real_repo).problems
        if p.file.name == original.name
    ]
    assert cached == uncached
    assert [(p.field, p.line) for p in cached] == [("id", 2)]


def test_an_address_read_back_from_the_cache_is_not_parsed_again(real_repo, monkeypatch):
    import pydantic.networks

    from datapedia.load.fiches import load_repository

    load_repository(real_repo)
    parsed = []
    original = pydantic.networks.validate_email
    monkeypatch.setattr(
        pydantic.networks, "validate_email", lambda value: parsed.append(value) or original(value)
    )
    assert len(load_repository(real_repo).fiches) == 14
    assert parsed == []
    # A new or changed fiche is parsed in full: its address is checked.
    write(real_repo, "gent-parkings", VALID.replace("mobiliteit@stad.gent", "geen-adres"))
    problems = load_repository(real_repo).problems
    assert parsed == ["geen-adres"]
    assert [p.field for p in problems] == ["owner.contact.email"]


def test_a_broken_stale_or_tampered_cache_is_not_trusted(real_repo):
    import json

    from datapedia.load.fiches import FicheCache, load_repository

    cache = FicheCache.for_root(real_repo).path
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("{kapot", encoding="utf-8")
    assert len(load_repository(real_repo).fiches) == 14  # broken: parsed, then rewritten
    stored = json.loads(cache.read_text(encoding="utf-8"))
    entry = stored["fiches"]["fiches/water/vmm-waterstanden.yml"]
    # an entry recorded for other bytes than the file holds now is not used
    entry["fiche"] = entry["fiche"].replace('"title":"', '"title":"Ingefluisterd ', 1)
    assert "Ingefluisterd" in entry["fiche"]
    entry["digest"] = "0" * 64
    cache.write_text(json.dumps(stored), encoding="utf-8")
    titles = [f.fiche.title for f in load_repository(real_repo).fiches]
    assert not any("Ingefluisterd" in title for title in titles)
    stored["loader"] = "een andere versie"
    cache.write_text(json.dumps(stored), encoding="utf-8")
    assert len(load_repository(real_repo).fiches) == 14


def test_fiches_parsed_by_forked_workers_are_the_fiches_parsed_in_process(
    real_repo, monkeypatch, single_threaded
):
    import json

    from datapedia.load import fiches as load_module
    from datapedia.load.fiches import FicheCache, load_repository
    from datapedia.util import parallel

    write(real_repo, "gent-parkings", VALID + "related:\n  - gent-bestaat-niet\n")
    write(real_repo, "gent-syntax", variant("gent-syntax", "theme: mobiliteit", "theme: [x"))
    write(real_repo, "gent-ftp", variant("gent-ftp", "protocol: opendatasoft", "protocol: ftp"))
    write(real_repo, "gent-parkings", VALID.replace("theme: mobiliteit", "theme: water"), "water")

    def load_with_half_cached():
        # Every other file comes from the cache: those are never sent to a worker.
        FicheCache.for_root(real_repo).path.unlink(missing_ok=True)
        files = sorted((real_repo / "fiches").rglob("*.yml"))[::2]
        load_fiches(files, real_repo, FicheCache.for_root(real_repo))
        cached.append(len(json.loads(FicheCache.for_root(real_repo).path.read_bytes())["fiches"]))
        sent.clear()
        result = load_repository(real_repo)
        return [str(p) for p in result.problems], [(f.path, f.fiche) for f in result.fiches]

    sent: list[int] = []
    cached: list[int] = []
    serial = load_with_half_cached()
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FICHES", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)

    class CountedPool(parallel.ProcessPoolExecutor):
        def map(self, func, items, **kwargs):
            sent.append(len(items))
            return super().map(func, items, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", CountedPool)
    forked = load_with_half_cached()
    assert forked == serial
    assert len(serial[0]) == 4 and len(serial[1]) == 14
    assert 0 < cached[-1] < 9
    assert sent == [18 - cached[-1]]  # every file but those in the cache, in one pool


def test_a_broken_secrets_map_is_a_problem_naming_its_file(real_repo):
    from datapedia.load.fiches import load_repository

    (real_repo / "config" / "geheimen.yml").write_text("TELRAAM_API_KEY: [telraam-api.net]\nx: 1\n")
    result = load_repository(real_repo)
    shown = [str(p) for p in result.problems]
    assert any(s.startswith("config/geheimen.yml:1:1: -: ongeldige regel voor 'x'") for s in shown)
    # the HIC key is no longer bound: its fiche is refused, naming the file to change
    assert any(
        "hic-waterstanden.yml" in s and "'HIC_KIWIS_TOKEN' staat niet in config/geheimen.yml" in s
        for s in shown
    )


def test_each_adapter_carries_the_url_rule_its_protocol_declares_in_the_model():
    """One declaration (datapedia.model.protocols) for validate and the probe alike."""
    from datapedia.model.fiche import Distribution, Protocol
    from datapedia.model.protocols import URL_NEEDS, url_needs
    from datapedia.probe.adapters import adapter_for

    for protocol in Protocol:
        named_everything = Distribution(
            title="t",
            protocol=protocol,
            url="https://example.org/x?request=GetFeature",
            format="application/json",
            timestamp_field="cnt_time",
            id_field="station_no",
            columns=[{"name": "station_name"}],
        )
        if protocol in URL_NEEDS:
            assert adapter_for(protocol).url_needs is URL_NEEDS[protocol]
        assert adapter_for(protocol).url_needs(named_everything) == url_needs(named_everything)


def test_the_cli_prints_each_problem_on_a_line_then_the_count_and_what_follows(tmp_path, capsys):
    from datapedia.cli.problems import print_problems

    write(tmp_path, "gent-parkings", VALID.replace("theme: mobiliteit", "theme: lucht"))
    problems = load_fiches([tmp_path / "fiches"], tmp_path).problems
    print_problems(problems, "ongeldige fiches worden overgeslagen")
    print_problems([], "niets")
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        *(str(p) for p in problems),
        f"{len(problems)} {'probleem' if len(problems) == 1 else 'problemen'} in de fiches; "
        "ongeldige fiches worden overgeslagen.",
    ]
