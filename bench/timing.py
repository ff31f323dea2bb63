"""Time a command as a whole process: wall time from start to exit, and peak RSS from wait4()."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIMEOUT_S = 600  # one process; a kill shows as exit -9


@dataclass
class Job:
    """One command timed as a whole process, once per run."""

    name: str
    command: list[str] | None  # None: the tool is missing
    ours: bool = False  # a failure of ours is an engine problem; of a peer, a note
    environment: dict[str, str] = field(default_factory=dict)  # set for this job on top of child_environment
    seconds: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float | None:
        """Return the median wall time in seconds, or None when nothing was measured."""
        return statistics.median(self.seconds) if self.seconds and self.error is None else None


def engine_python() -> str:
    """Return the interpreter that has the project's dependencies: the repo's venv, else this one."""
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def child_environment(scratch: Path) -> dict[str, str]:
    """Return the environment the timed commands run in: this one, with Python's bytecode cache on.

    A user's Python caches compiled modules, so the second build imports them ready-made. An environment
    that sets PYTHONDONTWRITEBYTECODE (some CI and sandboxes do) would have every engine build compile
    Glossator's modules from source, while the start-up floor imports only installed packages, whose bytecode
    was cached at install. Glossator keeps its compiled layouts the same way (glossator/compiled_layouts.py).
    Both caches go to the scratch folder, never the checkout or the user's home; the warm-up round fills them.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env["XDG_CACHE_HOME"] = str(scratch / "cache")
    return env


def run_once(command: list[str], scratch: Path, environment: dict[str, str] | None = None,
             ) -> tuple[float, int, int, str]:
    """Run a command to its end; return wall seconds, peak RSS (KiB), exit status and stderr."""
    err_path = scratch / "stderr.txt"
    env = child_environment(scratch) | (environment or {})
    with open(os.devnull, "wb") as null, open(err_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=null, stderr=err, stdin=subprocess.DEVNULL, cwd=REPO, env=env)
        watchdog = threading.Timer(TIMEOUT_S, child.kill)  # a hung engine must not hang the benchmark
        watchdog.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        watchdog.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss, child.returncode, err_path.read_text(errors="replace")


def measure(job: Job, scratch: Path, *, record: bool = True) -> None:
    """Run the job once (its {out} placeholder a fresh folder) and keep the sample."""
    if job.command is None or job.error is not None:
        return
    out = Path(tempfile.mkdtemp(dir=scratch, prefix="out-")) / "site"
    command = [part.replace("{out}", str(out)) for part in job.command]
    seconds, rss, code, stderr = run_once(command, scratch, job.environment)
    shutil.rmtree(out.parent, ignore_errors=True)
    if code != 0:
        job.error = f"exit {code}: " + "\n".join(stderr.strip().splitlines()[-12:])
    elif record:
        job.seconds.append(seconds)
        job.rss_kb.append(rss)


def measure_all(jobs: list[Job], runs: int, scratch: Path, progress: Callable[[str], None]) -> None:
    """One untimed round to warm the disk cache, then `runs` interleaved rounds."""
    for round_ in range(runs + 1):
        progress(f"round {round_}/{runs}" + (" (warm-up, not counted)" if round_ == 0 else ""))
        for job in jobs:
            measure(job, scratch, record=round_ > 0)


def parse_runs(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse a benchmark's command line: --tiny means one run, unless --runs says how many."""
    args = parser.parse_args(argv)
    if args.tiny and "--runs" not in (argv if argv is not None else sys.argv[1:]):
        args.runs = 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args
