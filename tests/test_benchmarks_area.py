"""The area benchmark still runs (on 300 homes): every row is printed and the answers have the right shape.

Its figures are read by people, never asserted (benchmarks/bench_area.py prints them beside their floors).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.timing import scaled

pytestmark = pytest.mark.slow  # the benchmark starts a server process

ROOT = Path(__file__).resolve().parents[1]
MEASURES = (
    "import the directory file", "API GET /health (loopback)",
    "API search icb", "API search england", "API stale icb", "API stale region", "API overview icb",
    "API overview region", "device (ICB) search icb", "device (ICB) stale icb", "device (ICB) overview icb",
    "device (England) search england", "device (England) stale region", "device (England) overview region",
)


def table(stdout: str) -> dict[str, tuple[str, str]]:
    lines = stdout[stdout.index("\nmeasure "):].splitlines()[2:]
    found = {}
    for line in lines:
        measure = next((m for m in MEASURES if line.startswith(m + " ")), None)
        if measure is not None:
            met, answer = re.search(r"\s(PASS|MISS|-)\s+(.+)$", line).groups()
            found[measure] = (met, answer)
    return found


def test_area_benchmark_prints_every_row_with_answers_of_the_right_shape(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_area", "--homes", "300", "--requests", "3", "--device-runs", "3",
         "--cache-dir", str(tmp_path / "cache")],
        cwd=ROOT, capture_output=True, text=True, timeout=scaled(240),
    )
    assert result.returncode == 0, result.stderr
    rows = table(result.stdout)
    assert set(rows) == set(MEASURES), result.stdout
    for measure, (met, _) in rows.items():
        assert met in (("-",) if measure.startswith("API GET /health") else ("PASS", "MISS")), measure
    assert rows["import the directory file"][1] == "300 added, 0 bad rows"
    assert re.fullmatch(r"\d+ homes? with a vacancy, \d+ listed", rows["API search england"][1])
    assert re.fullmatch(r"[\d,]+ of \d+ homes? not updated, \d+ listed", rows["API stale icb"][1])
    assert re.fullmatch(r"\d+ homes?, [\d,]+ vacant accepting, \d+ rows", rows["API overview region"][1])
    # The device holding the same records answers as the central API does (same rules, same data).
    for question in ("search icb", "overview icb"):
        assert rows[f"API {question}"][1] == rows[f"device (ICB) {question}"][1]
    for question in ("search england", "overview region"):
        assert rows[f"API {question}"][1] == rows[f"device (England) {question}"][1]
    for question, device in (("stale icb", "ICB"), ("stale region", "England")):  # how many homes, not which
        assert rows[f"API {question}"][1].split(" of ")[1] == rows[f"device ({device}) {question}"][1].split(" of ")[1]
    assert "cached under" in result.stdout and "first build of its snapshots" in result.stdout
