"""The ``datapedia`` command as a Flemish data owner meets it: Dutch words, exit codes
0/1/2, the repository found from any folder, errors that say what to fix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path

import pytest
from factories import NOW, VALID, variant, write, write_fiche
from localserver import LocalServer, Route

from datapedia.cli.main import COMMANDS, main
from datapedia.probe.settings import TRANSPORT
from datapedia.store.checks import ChecksStore

REPO = Path(__file__).resolve().parents[1]
ENGLISH = ("usage:", "options:", "positional arguments", "show this help", "error:", "invalid")
OLD, NEW = "fiches/mobiliteit/gent-parkings.yml", "fiches/water/gent-parkings.yml"
EXIT_2 = "2 verkeerd gebruik (bv. een ongeldige --now), geen repository of onderbroken (Ctrl-C)."


@pytest.fixture
def wide(monkeypatch):
    """argparse wraps at the terminal width: one line per paragraph, whatever the terminal."""
    monkeypatch.setenv("COLUMNS", "1000")


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """``main`` as the shell runs it: argparse's exits become exit codes."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    return root


# --- help, version, exit codes ------------------------------------------------------------
def test_help_is_dutch_and_lists_the_exit_codes(wide, capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "gebruik: datapedia [-h] [--version] [--root MAP] COMMANDO ..."
    assert "opties:" in lines and "argumenten:" in lines
    assert "  -h, --help  toon deze hulp en stop" in lines
    assert lines[-1] == (
        "exitcodes: 0 gelukt, alles in orde; 1 gelukt, maar er is een probleem gevonden "
        "(zie 'datapedia COMMANDO --help'); " + EXIT_2
    )
    assert not [word for word in ENGLISH if word in out]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_help_is_dutch_with_its_exit_codes(command, wide, capsys):
    code, out, _ = run([*command.split(), "--help"], capsys)
    assert code == 0
    assert out.startswith(f"gebruik: datapedia {command} [-h]")
    assert not [word for word in ENGLISH if word in out]
    last = out.splitlines()[-1]
    assert last.startswith(f"exitcodes: {COMMANDS[command][1]}")
    assert last.endswith(
        "verkeerd gebruik (bv. een ongeldige --now), geen repository of onderbroken (Ctrl-C)."
    )


def test_every_described_command_has_a_handler_and_every_handler_a_command():
    from datapedia.cli.main import HANDLERS
    from datapedia.cli.parser import build_parser, command_name

    assert set(HANDLERS) == set(COMMANDS)
    parser = build_parser()
    for command in COMMANDS:
        argv = [*command.split(), *(["x", "--theme", "water"] if command == "new" else [])]
        assert command_name(parser.parse_args(argv)) == command


def test_check_help_says_what_each_exit_code_means(wide, capsys):
    _, out, _ = run(["check", "--help"], capsys)
    assert out.splitlines()[-1] == (
        "exitcodes: 0 geen enkele dataset faalt; 1 minstens één dataset faalt; 2 de run kon "
        "niet doorgaan (geen netwerk, geen geldige fiche, checks/ niet beschrijfbaar), "
        "verkeerd gebruik (bv. een ongeldige --now), geen repository of onderbroken (Ctrl-C)."
    )
    assert (
        "  --offline             bevraag het netwerk niet; schrijft enkel in checks/ met een "
        "expliciete --checks"
    ) in out.splitlines()


def test_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert (code, out) == (0, f"datapedia {version('datapedia')}\n")


def test_a_wrong_choice_is_explained_in_dutch_exit_2(tmp_path, capsys):
    code, _, err = run(["--root", str(repo(tmp_path)), "new", "x-y", "--theme", "lucht"], capsys)
    assert code == 2
    # How the choices are quoted differs between Python versions.
    assert err.splitlines()[-1].startswith(
        "datapedia new: fout: argument --theme: ongeldige keuze: 'lucht' (kies uit "
    )
    assert "water" in err.splitlines()[-1] and "mobiliteit" in err.splitlines()[-1]
    code, _, err = run(["validaat"], capsys)
    assert code == 2 and "datapedia: fout: argument COMMANDO: ongeldige keuze: 'validaat'" in err


@pytest.mark.parametrize(
    ("argv", "last_line"),
    [
        ([], "datapedia: fout: deze argumenten zijn verplicht: COMMANDO"),
        (["check", "--bogus"], "datapedia: fout: onbekende argumenten: --bogus"),
        (
            ["check", "--only"],
            "datapedia check: fout: argument --only: verwacht minstens één waarde",
        ),
    ],
)
def test_usage_mistakes_are_dutch_and_exit_2(argv, last_line, capsys):
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith("gebruik: datapedia")
    assert err.splitlines()[-1] == last_line


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "2026-13-01",
            "'2026-13-01' is geen geldige ISO 8601-tijd; verwacht datum, tijd en tijdzone, "
            "bv. 2026-11-23T06:00:00Z",
        ),
        ("2026-11-23T06:00", "'2026-11-23T06:00' heeft geen tijdzone; bv. 2026-11-23T06:00:00Z"),
    ],
)
def test_a_bad_now_is_a_clear_error_and_exit_2(value, message, tmp_path, capsys):
    root = repo(tmp_path)
    for command in (["check"], ["build"], ["serve"], ["issues", "sync"]):
        code, out, err = run(["--root", str(root), *command, "--now", value], capsys)
        assert code == 2
        assert err.splitlines()[-1] == (
            f"datapedia {' '.join(command)}: fout: argument --now: {message}"
        )
    assert sorted(p.name for p in root.iterdir()) == ["mkdocs.yml"]  # nothing ran


def test_a_bad_now_from_the_shell_has_no_traceback(tmp_path):
    root = repo(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "datapedia.cli.main",
            "--root",
            str(root),
            "check",
            "--now",
            "gisteren",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "datapedia check: fout: argument --now: 'gisteren' is geen geldige ISO 8601-tijd; "
        "verwacht datum, tijd en tijdzone, bv. 2026-11-23T06:00:00Z"
    )


# --- the repository, from anywhere ------------------------------------------------------
def test_the_root_is_found_from_any_subfolder(tmp_path, monkeypatch, capsys):
    root = repo(tmp_path)
    write(root, "gent-parkings", VALID)
    monkeypatch.chdir(root / "fiches" / "mobiliteit")
    code, out, _ = run(["validate"], capsys)
    assert code == 0
    assert out.splitlines()[-1] == ("1 geldige fiche (mobiliteit: 1), 0 problemen in 1 bestand.")
    code, out, _ = run(["new", "vmm-debieten", "--theme", "water"], capsys)
    assert code == 0
    assert out == f"aangemaakt: {root / 'fiches' / 'water' / 'vmm-debieten.yml'}\n"
    # fiches/ alone also marks a repository
    (root / "mkdocs.yml").unlink()
    monkeypatch.chdir(root / "fiches" / "water")
    assert run(["validate", "vmm-debieten.yml"], capsys)[0] == 0


OUTSIDE = [
    ["validate"],
    ["new", "vmm-debieten", "--theme", "water"],
    ["schema"],
    ["check", "--offline"],
    ["check"],
    ["merge", "shard-1"],
    ["build", "--render-only"],
    ["serve"],
    ["report"],
    ["codeowners"],
    ["issues", "sync", "--dry-run", "--repo", "o/n"],
    ["readme"],
]


@pytest.mark.parametrize("argv", OUTSIDE, ids=" ".join)
def test_outside_a_repository_every_command_says_so_and_writes_nothing(
    argv, tmp_path, monkeypatch, capsys
):
    empty = tmp_path / "leeg"
    empty.mkdir()
    monkeypatch.chdir(empty)
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    command = " ".join(a for a in argv if not a.startswith("-") and a not in ("o/n", "water"))
    command = " ".join(command.split()[:2] if argv[0] == "issues" else command.split()[:1])
    assert err == (
        f"datapedia {command}: geen datapedia-repository gevonden in {empty} of een map erboven "
        "(een repository heeft mkdocs.yml of fiches/). Ga naar de repository of geef --root MAP.\n"
    )
    assert list(empty.iterdir()) == []


def test_an_explicit_root_that_is_no_repository_is_refused(tmp_path, capsys):
    code, out, err = run(["--root", str(tmp_path), "schema"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"datapedia schema: {tmp_path} is geen datapedia-repository: er staat geen mkdocs.yml "
        "of fiches/ in.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_draft_outside_a_repository_is_validated_with_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    draft = tmp_path / "concept.yml"
    draft.write_text(VALID.replace("gent-parkings", "concept"), encoding="utf-8")
    code, out, err = run(["validate", "concept.yml"], capsys)
    assert code == 0
    assert err == (
        f"datapedia validate: let op: geen datapedia-repository gevonden in {tmp_path} of een "
        "map erboven (een repository heeft mkdocs.yml of fiches/). Ga naar de repository of "
        "geef --root MAP. De id's worden niet met andere fiches vergeleken.\n"
    )
    assert out.splitlines()[-1].startswith("1 geldige fiche ")


def test_a_file_inside_a_repository_finds_it_from_outside(tmp_path, monkeypatch, capsys):
    root = repo(tmp_path)
    path = write(root, "gent-parkings", VALID)
    write(root, "gent-parkings", VALID.replace("mobiliteit\n", "water\n"), theme="water")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["validate", str(path)], capsys)
    assert (code, err) == (1, "")
    # Without git the order of the paths decides; the other file is pointed at, unparsed.
    assert out.splitlines() == [
        f"{NEW}:2:1: id: id 'gent-parkings' is al gebruikt in {OLD}",
        "1 geldige fiche (mobiliteit: 1), 1 probleem in 1 bestand.",
    ]


# --- YAML mistakes in Dutch --------------------------------------------------------------
YAML_MISTAKES = {
    "tab": (
        "  name: Stad Gent",
        "\tname: Stad Gent",
        "7:1: -: YAML-syntaxfout: tab-teken op regel 7; YAML springt in met spaties: "
        "gebruik spaties",
    ),
    "too little indentation": (
        "    email: mobiliteit@stad.gent",
        " email: mobiliteit@stad.gent",
        "9:2: -: YAML-syntaxfout: verkeerde inspringing: 'email' staat op 1 spatie; zet het "
        "dieper dan 'contact' (regel 8, 2 spaties) als onderdeel ervan, of op dezelfde hoogte "
        "als 'contact' (regel 8, 2 spaties) of 'owner' (regel 6, 0 spaties)",
    ),
    "too much indentation": (
        "  contact:\n",
        "   contact:\n",
        "8:4: -: YAML-syntaxfout: verkeerde inspringing: 'contact' staat op 3 spaties; zet het "
        "op dezelfde hoogte als 'name' (regel 7, 2 spaties) of 'owner' (regel 6, 0 spaties)",
    ),
    "inside a list item": (
        "    format: application/json",
        "   format: application/json",
        "17:4: -: YAML-syntaxfout: verkeerde inspringing: 'format' staat op 3 spaties; zet "
        "het op dezelfde hoogte als 'url' (regel 16, 4 spaties) of 'distributions' (regel 13, "
        "0 spaties)",
    ),
    "under a key with a value": (
        "theme: mobiliteit",
        "  theme: mobiliteit",
        "5:3: -: YAML-syntaxfout: verkeerde inspringing: 'theme' staat op 2 spaties; zet het "
        "op dezelfde hoogte als 'description' (regel 4, 0 spaties)",
    ),
    "a handle without quotes": (
        "  name: Stad Gent",
        "  name: Stad Gent\n  github: @stad-gent",
        "8:11: -: YAML-syntaxfout: een waarde mag niet met '@' beginnen; zet de waarde tussen "
        "aanhalingstekens",
    ),
    "a duration without T": (
        "theme: mobiliteit",
        "theme: mobiliteit\nupdate_frequency: P1H",
        "6:19: update_frequency: geen geldige ISO 8601-duur: 'P1H'; bedoelt u 'PT1H'? (uren, "
        "minuten en seconden komen na de T)",
    ),
}


@pytest.mark.parametrize(("old", "new", "expected"), YAML_MISTAKES.values(), ids=YAML_MISTAKES)
def test_yaml_mistakes_are_explained_in_dutch_with_the_fix(old, new, expected, tmp_path, capsys):
    root = repo(tmp_path)
    assert old in VALID
    write(root, "gent-parkings", VALID.replace(old, new, 1))
    code, out, _ = run(["--root", str(root), "validate"], capsys)
    assert (code, out.splitlines()[:-1]) == (1, [f"{OLD}:{expected}"])


# --- duplicate ids: who is to blame -------------------------------------------------------
def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )


def git_repo(tmp_path: Path) -> Path:
    root = repo(tmp_path)
    git(root, "init", "-q")
    return root


TWIN = VALID.replace("theme: mobiliteit", "theme: water")


def test_an_uncommitted_duplicate_is_blamed_even_when_it_sorts_first(tmp_path, capsys):
    root = git_repo(tmp_path)
    write(root, "gent-parkings", TWIN, theme="water")
    git(root, "add", ".")
    git(root, "commit", "-qm", "water", date="2025-01-01T00:00:00Z")
    write(root, "gent-parkings", VALID)  # mobiliteit/ sorts before water/
    code, out, _ = run(["--root", str(root), "validate"], capsys)
    assert code == 1
    assert out.splitlines()[:-1] == [
        f"{OLD}:2:5: id: id 'gent-parkings' is al gebruikt in {NEW}; dit bestand is nog niet "
        "gecommit: geef het een eigen id"
    ]


def test_the_newest_commit_of_the_id_is_blamed(tmp_path, capsys):
    root = git_repo(tmp_path)
    write(root, "gent-parkings", TWIN, theme="water")
    git(root, "add", ".")
    git(root, "commit", "-qm", "water", date="2025-01-01T00:00:00Z")
    # An older fiche that only now takes the same id: its id line is the newest change.
    write(root, "gent-parkings", variant("gent-oud"))
    git(root, "add", ".")
    git(root, "commit", "-qm", "oud", date="2024-01-01T00:00:00Z")
    write(root, "gent-parkings", VALID)
    git(root, "add", ".")
    git(root, "commit", "-qm", "hernoemd", date="2026-01-01T00:00:00Z")
    code, out, _ = run(["--root", str(root), "validate"], capsys)
    assert out.splitlines()[:-1] == [
        f"{OLD}:2:5: id: id 'gent-parkings' is al gebruikt in {NEW}; dit bestand kreeg die id "
        "later (volgens git): geef het een eigen id"
    ]
    # Validating only the fiche that was there first still finds the clash, on the other file.
    code, out, _ = run(["--root", str(root), "validate", str(root / NEW)], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"{OLD}:2:1: id: id 'gent-parkings' is al gebruikt in {NEW}; dit bestand kreeg die id "
        "later (volgens git): geef het een eigen id",
        "1 geldige fiche (water: 1), 1 probleem in 1 bestand.",
    ]


def test_validating_one_new_file_checks_its_id_against_the_repository(tmp_path, capsys):
    root = git_repo(tmp_path)
    write(root, "gent-parkings", VALID)
    git(root, "add", ".")
    git(root, "commit", "-qm", "eerste")
    new = write(root, "gent-parkings", TWIN, theme="water")
    code, out, _ = run(["--root", str(root), "validate", str(new)], capsys)
    assert (code, out.splitlines()) == (
        1,
        [
            f"{NEW}:2:5: id: id 'gent-parkings' is al gebruikt in {OLD}; dit bestand is nog "
            "niet gecommit: geef het een eigen id",
            "0 geldige fiches (geen), 1 probleem in 1 bestand.",
        ],
    )


def test_a_yaml_twin_of_a_yml_fiche_is_reported(tmp_path, capsys):
    root = repo(tmp_path)
    path = write(root, "gent-parkings", VALID)
    path.with_suffix(".yaml").write_text(VALID, encoding="utf-8")
    code, out, _ = run(["--root", str(root), "validate"], capsys)
    assert code == 1
    assert out.splitlines()[:-1] == [
        "fiches/mobiliteit/gent-parkings.yaml:2:5: id: deze fiche staat er twee keer: ook als "
        f"{OLD}; verwijder dit .yaml-bestand en houd het .yml-bestand"
    ]
    # and when only the .yml file is validated
    code, out, _ = run(["--root", str(root), "validate", str(path)], capsys)
    assert out.splitlines()[0] == (
        "fiches/mobiliteit/gent-parkings.yaml:2:1: id: deze fiche staat er twee keer: ook als "
        f"{OLD}; verwijder dit .yaml-bestand en houd het .yml-bestand"
    )


# --- check --offline keeps nothing unless told where -------------------------------------
def offline_repo(tmp_path: Path) -> Path:
    root = repo(tmp_path)
    write_fiche(root, id="zonder-licentie", licence=None)
    return root


def test_check_offline_never_writes_checks_by_default(tmp_path, capsys):
    root = offline_repo(tmp_path)
    (root / "checks").mkdir()
    (root / "checks" / "README.md").write_text("echte resultaten\n", encoding="utf-8")
    argv = ["--root", str(root), "check", "--offline", "--now", NOW.isoformat()]
    code, out, _ = run([*argv, "--progress", "plain"], capsys)
    assert code == 1  # no licence: accessibility fails
    assert sorted(p.name for p in (root / "checks").iterdir()) == ["README.md"]
    lines = out.splitlines()
    assert lines[-2] == "1 dataset: 0 in orde, 0 aandacht, 1 probleem, 0 onbekend."
    assert lines[-1] == (
        "Offline: er is niets bewaard, checks/ is niet aangepast. Geef --checks MAP om deze "
        "diagnoses te bewaren."
    )
    assert any(line.startswith("zonder-licentie  fail") for line in lines)


def test_check_offline_writes_only_where_it_is_told(tmp_path, capsys):
    root = offline_repo(tmp_path)
    elsewhere = tmp_path / "proef"
    argv = ["--root", str(root), "check", "--offline", "--now", NOW.isoformat()]
    code, out, _ = run([*argv, "--checks", str(elsewhere), "--progress", "plain"], capsys)
    assert code == 1
    assert not (root / "checks").exists()
    assert ChecksStore(elsewhere).read_latest("zonder-licentie").checked_at == NOW
    assert "Offline:" not in out


# --- Ctrl-C --------------------------------------------------------------------------------
def ctrl_c(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_stops_check_at_once_and_says_what_was_kept(tmp_path):
    """A feed that never answers: Ctrl-C must not wait for it (its request would only give
    up after the total timeout), and checks/ stays as it was."""
    root = repo(tmp_path)
    release = threading.Event()
    asked = threading.Event()

    def hang(request):
        asked.set()
        release.wait()
        return Route(body=b"{}", content_type="application/json")

    with LocalServer({"/traag": hang}) as server:
        write_fiche(
            root,
            id="trage-feed",
            distributions=[
                {
                    "title": "API",
                    "protocol": "json",
                    "url": server.url("/traag"),
                    "format": "application/json",
                }
            ],
        )
        (root / "checks").mkdir()
        cmd = [sys.executable, "-m", "datapedia.cli.main", "--root", str(root), "check"]
        cmd += ["--allow-private", "--now", NOW.isoformat(), "--progress", "plain"]
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert asked.wait(120), "the probe never reached the server"
            process.send_signal(signal.SIGINT)
            # Well below the time the request itself would take to give up.
            out, err = process.communicate(timeout=TRANSPORT.total_timeout_s / 2)
        finally:
            release.set()
            if process.poll() is None:
                process.kill()
    assert process.returncode == 2
    assert err.splitlines()[-1] == (
        f"datapedia check: onderbroken (Ctrl-C); {root / 'checks'} is niet aangepast; 0 "
        "diagnoses van deze run niet bewaard."
    )
    assert "Traceback" not in err
    assert list((root / "checks").iterdir()) in ([], [root / "checks" / ".lock"])


def test_ctrl_c_during_an_offline_check_says_nothing_was_kept(tmp_path, monkeypatch, capsys):
    import datapedia.cli.check as check

    root = offline_repo(tmp_path)

    monkeypatch.setattr(check, "print_table", ctrl_c)
    code, _, err = run(
        ["--root", str(root), "check", "--offline", "--now", NOW.isoformat()], capsys
    )
    assert code == 2
    assert err.splitlines()[-1] == (
        "datapedia check: onderbroken (Ctrl-C); er is niets bewaard (offline zonder --checks)."
    )
    assert not (root / "checks").exists()


def test_ctrl_c_after_the_results_were_published_says_they_are_kept(tmp_path, monkeypatch, capsys):
    import datapedia.cli.check as check

    root = offline_repo(tmp_path)
    monkeypatch.setattr(check, "print_table", ctrl_c)
    checks = root / "checks"
    argv = ["--root", str(root), "check", "--offline", "--checks", str(checks)]
    code, _, err = run([*argv, "--now", NOW.isoformat()], capsys)
    assert code == 2
    assert err.splitlines()[-1] == (
        f"datapedia check: onderbroken (Ctrl-C); 1 diagnose van deze run bewaard in {checks}."
    )
    assert ChecksStore(checks).read_latest("zonder-licentie") is not None


# --- the README's command table -------------------------------------------------------------
def test_the_readme_table_is_generated_from_the_parser():
    from datapedia.cli.commands_table import check_readme
    from datapedia.cli.main import command_table

    assert check_readme(REPO, command_table()) is None
    table = command_table()
    assert (
        "| `datapedia check [--only ID [ID ...]] [--now TIJD] [--offline] [--checks MAP] "
        "[--shard i/n] [--summary BESTAND] [--progress {auto,bar,plain}] [--allow-private]` | "
    ) in table
    assert f"| {COMMANDS['validate'][1]} |" in table


def test_readme_check_fails_on_a_stale_table_and_readme_fixes_it(tmp_path, capsys):
    root = repo(tmp_path)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (root / "README.md").write_text(readme.replace("| `datapedia validate", "| `datapedia oud", 1))
    code, _, err = run(["--root", str(root), "readme", "--check"], capsys)
    assert (code, err) == (
        1,
        "de commandotabel in README.md is verouderd. Voer `datapedia readme` uit en commit.\n",
    )
    assert run(["--root", str(root), "readme"], capsys)[0] == 0
    assert (root / "README.md").read_text(encoding="utf-8") == readme
    assert run(["--root", str(root), "readme", "--check"], capsys)[0] == 0


# --- serve: the address, and a new render when a fiche or checks/ changes ----------------
def test_a_change_under_the_watched_folders_renders_again(tmp_path):
    from datapedia.util.watch import RenderOnChange

    root = offline_repo(tmp_path)
    renders: list[int] = []
    watcher = RenderOnChange([root / "fiches", root / "checks"], lambda: renders.append(1))
    assert watcher.poll() is False
    fiche = root / "fiches" / "water" / "zonder-licentie.yml"
    fiche.write_text(fiche.read_text(encoding="utf-8") + "# gewijzigd\n", encoding="utf-8")
    assert (watcher.poll(), watcher.poll()) == (True, False)
    (root / "checks").mkdir()
    (root / "checks" / "zonder-licentie.json").write_text("{}", encoding="utf-8")
    assert watcher.poll() is True
    assert len(renders) == 2


def test_serve_prints_its_address_and_renders_again_when_a_fiche_changes(
    tmp_path, monkeypatch, capsys
):
    import mkdocs.commands.serve

    import datapedia.util.watch as watch

    root = offline_repo(tmp_path)
    page = root / "site" / "generated" / "datasets" / "zonder-licentie.md"
    monkeypatch.setattr(watch, "POLL_S", 0.01)

    def rendered_again() -> bool:
        """Seen from outside, as mkdocs' live reload sees it: the page on disk changes."""
        for _ in range(6000):  # a hang guard, not a speed claim
            if "Nieuwe titel" in page.read_text(encoding="utf-8"):
                return True
            time.sleep(0.01)
        return False

    def fake_serve(config_file, dev_addr, livereload):
        assert (config_file, dev_addr, livereload) == (
            str(root / "mkdocs.yml"),
            "127.0.0.1:8123",
            True,
        )
        fiche = root / "fiches" / "water" / "zonder-licentie.yml"
        text = fiche.read_text(encoding="utf-8").replace("Testdataset", "Nieuwe titel")
        fiche.write_text(text, encoding="utf-8")
        assert rendered_again(), "the watcher never rendered the changed fiche"

    monkeypatch.setattr(mkdocs.commands.serve, "serve", fake_serve)
    argv = ["--root", str(root), "serve", "--address", "127.0.0.1:8123", "--now", NOW.isoformat()]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert (
        "De site staat op http://127.0.0.1:8123/ en volgt fiches/ en checks/ (Ctrl-C stopt)."
        in out.splitlines()
    )
    assert "fiches/ of checks/ gewijzigd: de pagina's worden opnieuw gemaakt." in out.splitlines()
    assert not [t for t in threading.enumerate() if t.name == "datapedia-volg" and t.is_alive()]


def test_contributors_find_the_design_in_the_repository():
    """A clone from GitHub has nothing beside it: no link may lead out of the repository."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    design = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "[`CONTRIBUTING.md`](CONTRIBUTING.md)" in readme
    assert design.startswith("# Contributing to Datapedia Vlaanderen: the design\n")
    assert "## The six dimensions" in design
    assert [text for text in (readme, design) if "../shared" in text] == []


def test_ctrl_c_while_publishing_finishes_the_publication(tmp_path, monkeypatch):
    """Once the journal is written the run is decided: a rollback then rolls forward
    (as the next open would), instead of leaving half the files moved."""
    from factories import files_in

    from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Status
    from datapedia.store import checks as store_module

    store = ChecksStore(tmp_path / "checks")
    tx = store.begin()
    ok = DimensionResult(status=Status.ok, summary="In orde.")
    tx.add(Diagnosis.build("een", NOW, dict.fromkeys(Dimension, ok)))
    moving = store_module.publish_staged
    monkeypatch.setattr(store_module, "publish_staged", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        tx.commit()
    monkeypatch.setattr(store_module, "publish_staged", moving)
    assert tx.rollback() is True
    assert files_in(tmp_path / "checks") == ["een.json", "een.jsonl"]
