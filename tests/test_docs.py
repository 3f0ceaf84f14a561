"""``datapedia docs``: the dimension and status lists in the docs and GitHub templates come
from the model, and ``--check`` fails when a file says something else."""

from __future__ import annotations

import importlib
import re
import shutil
from pathlib import Path

import pytest

from datapedia.cli.main import main
from datapedia.model import results
from datapedia.model.results import MEASURED, Dimension
from datapedia.publish import docs

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def copy(tmp_path) -> Path:
    """The files that hold generated lists, copied as they are in the repository."""
    for path in {block.path for block in docs.BLOCKS}:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / path, tmp_path / path)
    (tmp_path / "mkdocs.yml").write_text("site_name: kopie\n", encoding="utf-8")
    return tmp_path


def test_the_repository_shows_the_model_s_lists():
    assert docs.stale_docs(REPO) == []


def test_every_dimension_has_its_words():
    assert set(docs.ISSUE_HINTS) == set(docs.MEASURES) == set(Dimension)


def test_the_lists_say_the_labels_and_the_measured_dimensions(copy):
    index = (copy / "site" / "index.md").read_text(encoding="utf-8")
    labels = [d.label for d in Dimension]
    assert ", ".join(labels[:-1]) + f" en {labels[-1]}<!-- einde dimensies -->" in index
    handbook = (copy / "site" / "handboek" / "dimensies.md").read_text(encoding="utf-8")
    assert f"{MEASURED[-2].label} of {MEASURED[-1].label}<!-- einde" in handbook
    assert "| Beschikbaarheid | " in handbook and "over 7, 30 en 90 dagen" in handbook
    form = (copy / ".github" / "ISSUE_TEMPLATE" / "probleem-met-feed.yml").read_text("utf-8")
    assert "        - dekkingsgraad (stations of segmenten die niet melden)\n" in form


def test_a_label_changed_in_the_model_makes_the_files_stale_until_rewritten(
    copy, monkeypatch, capsys
):
    monkeypatch.setitem(results.DIMENSION_LABELS, Dimension.coverage, "dekking")
    assert main(["--root", str(copy), "docs", "--check"]) == 1
    err = capsys.readouterr().err
    assert "site/index.md: de gegenereerde lijst is verouderd." in err
    assert "Voer `datapedia docs` uit en commit." in err

    assert main(["--root", str(copy), "docs"]) == 0
    assert "geschreven: .github/ISSUE_TEMPLATE/probleem-met-feed.yml" in capsys.readouterr().out
    form = (copy / ".github" / "ISSUE_TEMPLATE" / "probleem-met-feed.yml").read_text("utf-8")
    assert "        - dekking (stations of segmenten die niet melden)\n" in form
    assert "dekking en standaarden" in (copy / "site" / "index.md").read_text(encoding="utf-8")
    assert main(["--root", str(copy), "docs", "--check"]) == 0
    assert main(["--root", str(copy), "docs"]) == 0
    assert "alles was al actueel" in capsys.readouterr().out


def test_a_missing_marker_is_named(copy, capsys):
    path = copy / "checks" / "README.md"
    path.write_text(path.read_text(encoding="utf-8").replace("<!-- einde dimensies -->", ""))
    assert main(["--root", str(copy), "docs", "--check"]) == 1
    assert "checks/README.md mist de markeringen" in capsys.readouterr().err
    assert main(["--root", str(copy), "docs"]) == 1


# Files that describe the code as it is now (bench/RESULTS.md is a log: it names the
# modules of the commit each run measured).
_DESCRIBING = ("README.md", "CONTRIBUTING.md", "checks/README.md", "tests/data/real/README.md")
_PATH = re.compile(r"\bdatapedia(?:/[a-z_]+)+(?:\.py\b|/)")
_DOTTED = re.compile(r"`(datapedia(?:\.[A-Za-z_]+)+)`")


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                found = getattr(found, name)
        except AttributeError:
            return False
        return True
    return False


def test_the_docs_name_only_modules_and_names_that_exist():
    """A newcomer follows these references; after a move they must still lead somewhere."""
    wrong = []
    for doc in _DESCRIBING:
        text = (REPO / doc).read_text(encoding="utf-8")
        wrong += [f"{doc}: {p}" for p in _PATH.findall(text) if not (REPO / p).exists()]
        wrong += [f"{doc}: {d}" for d in _DOTTED.findall(text) if not _resolves(d)]
    assert wrong == []


def test_a_reference_to_a_moved_module_is_caught():
    assert _resolves("datapedia.model.results.Diagnosis")
    assert not _resolves("datapedia.results.Diagnosis")
    assert not _resolves("datapedia.model.results.NoSuchName")
