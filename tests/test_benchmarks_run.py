"""The benchmarks still run (on a small data set); their figures are read by people, not asserted."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.timing import scaled

pytestmark = pytest.mark.slow  # the benchmark starts a server process

ROOT = Path(__file__).resolve().parents[1]


def test_sync_benchmark_runs_and_prints_its_table():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_sync", "--homes", "300", "--saves", "20", "--round-trips", "10"],
        cwd=ROOT, capture_output=True, text=True, timeout=scaled(180),
    )
    assert result.returncode == 0, result.stderr
    for row in ("first sync, England", "first sync, region", "its pages from the API only", "local save p99",
                "round trip p50 (save to ack)"):
        assert row in result.stdout
    assert "England: 900 records (300 homes on the device)" in result.stdout


def test_sign_in_benchmark_runs_and_prints_its_table():
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench_sign_in", "--rounds", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=scaled(180))
    assert result.returncode == 0, result.stderr
    assert "push during burst" in result.stdout and "quiet push (median)" in result.stdout
