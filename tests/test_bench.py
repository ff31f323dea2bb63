"""The benchmark runs end to end: every measurement is there, each with a value or a reason.

Speed is judged in bench/RESULTS.md from full runs, never here: this only checks the tool works.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_tiny_benchmark_reports_every_run() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--tiny", "--json"],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    runs = {metric["run"] for metric in report["metrics"]}
    assert runs == {"1", "2", "3", "4", "5"}
    for metric in report["metrics"]:
        # Without a value a row must say why (a missing peer, too few runs to rise above noise...).
        assert metric["value"] is not None or metric["verdict"] or metric["detail"], metric
        assert metric["verdict"] != "error", metric
    assert {"pandoc", "hugo"} <= report["versions"].keys()


def test_tiny_site_scale_benchmark_reports_every_measure() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "site_scale.py"), "--tiny", "--json"],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["articles"] == 10
    names = {row["name"] for row in report["rows"]}
    assert {"glossator-1-process: wall time", "glossator-all-cores: wall time", "pandoc: wall time",
            "hugo: wall time", "one process / all cores (speed-up)"} <= names
    for row in report["rows"]:
        # A peer that is not installed says "missing", and so does a ratio to it; the engine's own timings
        # ("glossator-...: wall time") always have a value.
        assert row["value"] is not None or row["verdict"] == "missing", row
        if row["name"].startswith("glossator-"):
            assert row["value"] is not None, row
