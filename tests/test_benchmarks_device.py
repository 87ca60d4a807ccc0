"""The device benchmarks still run on a small data set; the endurance run's nothing-lost check holds."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.timing import scaled

pytestmark = pytest.mark.slow  # real processes: the device's own, the central API's

ROOT = Path(__file__).resolve().parents[1]


def test_device_benchmark_runs_and_prints_its_tables(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_device", "--homes", "300", "--runs", "3", "--year-days", "12",
         "--cache-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=scaled(300))
    assert result.returncode == 0, result.stderr
    for line in ("device (England) first screen", "device (England) search england", "resident after the first screen",
                 "A manager's device, 12 days of daily saves"):
        assert line in result.stdout, result.stdout


def test_a_short_endurance_run_loses_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.endurance", "--minutes", "0.3", "--devices", "3", "--day-seconds", "2",
         "--sample-seconds", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=scaled(300))
    assert "NOTHING LOST / EXACTLY ONCE: PASSED" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0
