"""Measure `watch`: from the moment a save is seen to the moment the rebuilt page is on disk.

Run from the repository: `.venv/bin/python bench/latency.py [--runs N] [--tiny] [--seed S]`.
For the sample site, the generated long article (as in bench/run.py) and a generated site of 200
articles (bench/site_corpus.py; the edit is to its first article), it starts the watcher
in this process on a temporary copy, makes the same one-line sidecar edit as run 4, and times
each rebuild twice: from the first file event of the save (what issue 4's target counts; the
watcher then waits SAVED_SECONDS after the file is closed, to be sure the burst is over) and from
the write itself.
Medians are printed; targets are reported, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus
from bench.run import FULL, LAYOUTS, TINY, editable_note, sample_folder, write_long
from bench.site_corpus import FULL_SITE, TINY_SITE, write_site
from glossator.dev.cache import Builder, Sources
from glossator.dev.watch import SAVED_SECONDS, Rebuilt, Watcher

TARGETS = {"sample": 0.050, "long": 0.300, "site": 0.050}


def latencies(content: Path, out: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    """Return, per edit, seconds from first event to page on disk, from the write to page on disk, and from first
    event to every file on disk (the site-wide ones after the page)."""
    sidecar = sorted(content.glob("*.annotations.yaml"))[0]
    lines = sidecar.read_text(encoding="utf-8").split("\n")
    found = editable_note(lines)
    if found is None:
        raise SystemExit(f"no note to edit in one line in {sidecar.name}")
    index, edit = found
    done = threading.Condition()
    rebuilds: list[Rebuilt] = []

    def record(rebuilt: Rebuilt) -> None:
        with done:
            rebuilds.append(rebuilt)
            done.notify_all()

    def wait_for(count: int) -> Rebuilt:
        with done:
            if not done.wait_for(lambda: len(rebuilds) >= count, 120):
                raise SystemExit("the watcher did not rebuild within 120 s")
        rebuilt = rebuilds[count - 1]
        if not rebuilt.outcome.ok:
            raise SystemExit("\n".join(map(str, rebuilt.outcome.problems[:12])))
        return rebuilt

    watcher = Watcher(Builder(Sources(content, LAYOUTS, out)), record)
    watcher.start()
    seen, written, finished = [], [], []
    try:
        wait_for(1)
        for serial in range(1, runs + 1):
            time.sleep(0.2)  # a pause between saves, as an editor makes
            lines[index] = edit(serial)
            start = time.perf_counter()
            sidecar.write_text("\n".join(lines), encoding="utf-8")
            rebuilt = wait_for(serial + 1)
            seen.append(rebuilt.done - rebuilt.seen)
            written.append(rebuilt.done - start)
            finished.append((rebuilt.finished or rebuilt.done) - rebuilt.seen)
    finally:
        watcher.stop()
    return seen, written, finished


def main(argv: list[str] | None = None) -> int:
    """Measure and print the medians."""
    parser = argparse.ArgumentParser(description="Measure watch latency for the sample and the long article.")
    parser.add_argument("--runs", type=int, default=9, help="timed saves per site (default 9)")
    parser.add_argument("--tiny", action="store_true", help="a small generated article: a smoke test")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated article (default 1)")
    args = parser.parse_args(argv)
    sizes = TINY if args.tiny else FULL
    root = Path(tempfile.mkdtemp(prefix="glossator-latency-"))
    try:
        article = corpus.make_article(args.seed, sizes.words)
        quotes = corpus.spread(corpus.make_quotes(article, sizes.annotations, args.seed + 1), sizes.annotations)
        scale = TINY_SITE if args.tiny else FULL_SITE
        sites = {"sample": shutil.copytree(sample_folder()[0], root / "sample"),
                 "long": write_long(root, article, quotes, args.seed + 2),
                 "site": write_site(root / "site" / "content", scale, args.seed).content}
        print(f"watch latency, medians of {args.runs} saves; the watcher waits {SAVED_SECONDS * 1000:.0f} ms "
              "after a save for the end of its burst")
        for name, content in sites.items():
            seen, written, finished = latencies(content, root / f"out-{name}", args.runs)
            median = statistics.median(seen)
            verdict = "PASS" if median <= TARGETS[name] else "FAIL"
            print(f"{name:7} change seen -> page on disk {median * 1000:6.1f} ms (target <= "
                  f"{TARGETS[name] * 1000:.0f} ms: {verdict}); save -> page on disk "
                  f"{statistics.median(written) * 1000:6.1f} ms; every file on disk "
                  f"{statistics.median(finished) * 1000:6.1f} ms")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
