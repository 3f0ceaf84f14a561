"""The one Dutch vocabulary: plurals, durations, numbers, and evidence as readers see it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from datapedia.model.fiche import parse_duration
from datapedia.model.words import count, duration, number, percent, show


@pytest.mark.parametrize(
    ("n", "word", "text"),
    [
        (1, "rij", "1 rij"),
        (2, "rij", "2 rijen"),
        (0, "rijen", "0 rijen"),
        (1, "eindpunten", "1 eindpunt"),
        (1000, "dataset", "1.000 datasets"),
    ],
)
def test_plurals(n, word, text):
    assert count(n, word) == text


@pytest.mark.parametrize(
    ("iso", "text"),
    [
        ("P1M", "1 maand"),
        ("P1D", "1 dag"),
        ("PT15M", "15 minuten"),
        ("PT1H", "1 uur"),
        ("P1Y", "1 jaar"),
        ("P2W", "2 weken"),
        ("PT10M", "10 minuten"),
    ],
)
def test_declared_frequencies_read_back_as_written(iso, text):
    assert duration(parse_duration(iso)) == text


def test_ages_use_the_largest_unit_that_fits_twice():
    assert duration(timedelta(days=8527, hours=3)) == "8.527 dagen"
    assert duration(timedelta(minutes=90)) == "90 minuten"
    assert duration(timedelta(hours=36)) == "36 uur"
    assert duration(timedelta(seconds=1)) == "1 seconde"


def test_numbers_and_percentages_are_dutch():
    assert percent(28.33) == "28,3%"
    assert percent(100.0) == "100%"
    assert number(1234567) == "1.234.567"
    assert number(3.14159, 2) == "3,14"


def test_evidence_never_shows_python_or_json_to_readers():
    assert show(None) == "onbekend"
    assert show(True) == "ja" and show(False) == "nee"
    assert show({"a": 1, "b": [True, 2.5]}) == "a: 1; b: ja, 2,5"
    assert show([]) == "geen"
    assert show(0.05) == "0,05" and show(99.0) == "99" and show(1234.5) == "1.234,5"
