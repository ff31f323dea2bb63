"""Benchmark Glossator against its targets, and against pandoc and Hugo on the same Markdown.

Run from the repository: `.venv/bin/python bench/run.py [--runs N] [--json] [--tiny] [--seed S]`.
Every input is generated in a temporary folder from the seed; nothing in the checkout is written.
Each build is a whole process, timed from start to exit, its peak memory read from wait4().
Jobs are interleaved run by run, so a slow spell of the machine touches them all alike.
Numbers are medians over the runs. Targets are reported, never asserted: the exit status is 1
only when the engine fails to build an input.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus, peers, references, report
from bench.timing import REPO, Job, engine_python, measure_all, parse_runs

LAYOUTS = REPO / "glossator" / "theme"
FALLBACK_SAMPLE = REPO / "tests" / "fixtures" / "dense"
FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n---[ \t]*\n", re.DOTALL)


@dataclass(frozen=True)
class Sizes:
    """How big the generated inputs are."""

    words: int
    annotations: int  # run 2
    scale: tuple[int, ...]  # run 3


FULL = Sizes(words=100_000, annotations=2_000, scale=(1_000, 5_000, 20_000))
TINY = Sizes(words=4_000, annotations=100, scale=(200, 400, 800))


# --- inputs --------------------------------------------------------------------------------------


def sample_folder() -> tuple[Path, str]:
    """Return the sample site's content folder, or the dense fixture when content/ has no article."""
    content = REPO / "content"
    if any(content.glob("*.md")):
        return content, "content/"
    return FALLBACK_SAMPLE, "tests/fixtures/dense/ (content/ has no article)"


def sample_body(folder: Path) -> str:
    """Return the Markdown body of the folder's largest article."""
    article = max(folder.glob("*.md"), key=lambda path: path.stat().st_size)
    return FRONT_MATTER.sub("", article.read_text(encoding="utf-8"), count=1)


def write_long(root: Path, article: corpus.Article, quotes: list[corpus.Quote], seed: int) -> Path:
    """Write a content folder holding the long article and these quotes' sidecar."""
    folder = root / f"long-{len(quotes)}"
    folder.mkdir()
    (folder / "long.md").write_text(article.markdown("A long generated article"), encoding="utf-8")
    (folder / "long.annotations.yaml").write_text(corpus.sidecar(quotes, seed), encoding="utf-8")
    return folder


def build_job(name: str, content: Path) -> Job:
    """Return the job that builds a content folder with the engine's command line, making every article anew."""
    # --no-cache: a build keeps each article's work between builds (glossator/article_cache.py) in the scratch
    # cache the rounds share, so from the warm-up round on a build would only read its article back. A cold build
    # here makes its article; compiled layouts are still kept, as on a machine that has built before.
    command = [engine_python(), str(REPO / "build.py"), "build", "--no-cache", "--content", str(content),
               "--layouts", str(LAYOUTS), "--out", "{out}"]
    return Job(name, command, ours=True)


def first_build_job(root: Path, content: Path) -> Job:
    """Return the job that builds a content folder as the first build on a machine: no compiled layouts kept."""
    blocked = root / "no-cache"  # a file where the cache folder would go: nothing is read or kept
    blocked.write_text("", encoding="utf-8")
    job = build_job("sample-first", content)
    job.environment["XDG_CACHE_HOME"] = str(blocked)
    return job


@dataclass
class Inputs:
    """Everything generated for one benchmark, and what it is made of."""

    jobs: dict[str, Job]
    sample: Path
    sample_label: str
    long: Path  # run 2's content folder
    words: int
    context: dict[str, int]  # how many of run 2's quotes carry a prefix or a suffix


def make_inputs(root: Path, sizes: Sizes, seed: int) -> Inputs:
    """Generate every input under root and return the jobs that time them."""
    sample, label = sample_folder()
    article = corpus.make_article(seed, sizes.words)
    quotes = corpus.make_quotes(article, max(*sizes.scale, sizes.annotations), seed + 1)
    jobs = [Job("floor", [engine_python(), "-c", "import markdown_it, jinja2, yaml"]),
            build_job("sample", sample), first_build_job(root, sample),
            *peers.peer_jobs(root, "sample", sample_body(sample))]
    folders = {n: write_long(root, article, corpus.spread(quotes, n), seed + 2)
               for n in sorted({0, sizes.annotations, *sizes.scale})}
    jobs += [build_job(f"long-{n}", folder) for n, folder in folders.items()]
    jobs += peers.peer_jobs(root, "long", article.body())
    jobs += references.reference_jobs(root / "long.md")  # written by peer_jobs
    chosen = corpus.spread(quotes, sizes.annotations)
    context = {"prefix": sum(q.prefix is not None for q in chosen), "suffix": sum(q.suffix is not None for q in chosen)}
    return Inputs({job.name: job for job in jobs}, sample, label, folders[sizes.annotations],
                  article.word_count, context)


# --- run 4: warm rebuild in one process ----------------------------------------------------------

Rebuild = Callable[[Path, Path, Path], list[str]]


def load_rebuilder() -> tuple[Rebuild | None, str]:
    """Return the engine's in-process rebuild, or None and why not.

    The one place that knows the in-process API: one `glossator.dev.cache.Builder` per site,
    kept between calls, whose `rebuild()` redoes only what the edit touched (what `watch` runs).
    """
    try:
        incremental = importlib.import_module("glossator.dev.cache")
        builder_class, sources_class = incremental.Builder, incremental.Sources
    except (ImportError, AttributeError) as error:
        return None, f"cannot import glossator.dev.cache.Builder ({error})"
    builders: dict[tuple[Path, Path, Path], object] = {}

    def rebuild(content: Path, layouts: Path, out: Path) -> list[str]:
        builder = builders.setdefault((content, layouts, out), builder_class(sources_class(content, layouts, out)))
        return [str(problem) for problem in builder.rebuild().problems]  # type: ignore[attr-defined]

    return rebuild, ""


NOTE_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)note:[ \t]+(?P<value>[^|>\s].*)$")
BLOCK_NOTE = re.compile(r"^\s*(?:-\s+)?note:[ \t]+[|>][-+]?[ \t]*$")
Edit = Callable[[int], str]  # the edited line for the given serial number


def _continues(lines: list[str], index: int) -> bool:
    """Tell whether the value on line index goes on past it (a multi-line plain scalar)."""
    following = next((line for line in lines[index + 1 :] if line.strip()), None)
    if following is None:
        return False
    indent = len(lines[index]) - len(lines[index].lstrip(" -"))
    return len(following) - len(following.lstrip()) >= indent and not re.match(r"\s*(-\s|[\w-]+:)", following)


def editable_note(lines: list[str]) -> tuple[int, Edit] | None:
    """Find a note to edit in one line: its line index, and how to write that line with an edit's serial."""
    import yaml  # the engine's dependency: only the warm child, which runs in the engine's venv, needs it

    for index, line in enumerate(lines):
        match = NOTE_LINE.match(line)
        if match is None or _continues(lines, index):
            continue
        try:
            value = yaml.safe_load(match["value"])
        except yaml.YAMLError:
            continue
        if isinstance(value, str):
            lead = match["lead"]
            return index, lambda serial, lead=lead, value=value: (
                f"{lead}note: {json.dumps(f'{value} Edit {serial}.', ensure_ascii=False)}")
    return _block_note(lines)


def _block_note(lines: list[str]) -> tuple[int, Edit] | None:
    """Find the first line of a block scalar note (`note: >-`), which gains words at its end."""
    for index, line in enumerate(lines[:-1]):
        first = lines[index + 1]
        indent = len(line) - len(line.lstrip(" -"))
        if BLOCK_NOTE.match(line) and first.strip() and len(first) - len(first.lstrip()) > indent:
            # Folded or literal, the note's text still changes by one sentence, on one line of the file.
            return index + 1, lambda serial, first=first: f"{first} Edit {serial}."
    return None


def warm_times(content: Path, runs: int) -> dict[str, object]:
    """Build once, then time `runs` rebuilds, each after a one-line edit of a sidecar."""
    rebuild, why = load_rebuilder()
    sidecars = sorted(content.glob("*.annotations.yaml"))
    if rebuild is None or not sidecars:
        return {"unavailable": why or "no sidecar to edit"}
    lines = sidecars[0].read_text(encoding="utf-8").split("\n")
    found = editable_note(lines)
    if found is None:
        return {"unavailable": f"no note to edit in one line in {sidecars[0].name}"}
    index, edit = found
    out = content.parent / f"warm-out-{content.name}"
    problems = rebuild(content, LAYOUTS, out)
    times = []
    for serial in range(1, runs + 1):
        if problems:
            return {"error": "\n".join(problems[:12])}
        lines[index] = edit(serial)
        sidecars[0].write_text("\n".join(lines), encoding="utf-8")
        start = time.perf_counter()
        problems = rebuild(content, LAYOUTS, out)
        times.append(time.perf_counter() - start)
    return {"error": "\n".join(problems[:12])} if problems else {"seconds": times}


def warm_child(content: Path, runs: int) -> int:
    """Run the warm measurement in this process and print it as JSON (for the parent)."""
    try:
        result = warm_times(content, runs)
    except Exception:  # an engine crash is a finding to report, not the end of the benchmark
        result = {"error": "\n".join(traceback.format_exc().strip().splitlines()[-12:])}
    print(json.dumps(result))
    return 0


def measure_warm(root: Path, name: str, content: Path, runs: int) -> dict[str, object]:
    """Copy the content folder and run the warm measurement in a child of the engine's Python."""
    copy = root / f"warm-{name}"
    shutil.copytree(content, copy)
    command = [engine_python(), str(Path(__file__).resolve()), "--warm-child", str(copy), "--runs", str(runs)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    try:
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    except (IndexError, ValueError):
        return {"error": f"exit {done.returncode}: " + "\n".join(done.stderr.strip().splitlines()[-12:])}


# --- the report ----------------------------------------------------------------------------------



def as_measured(job: Job) -> report.Measured:
    """Return a job's median, or why there is none."""
    if job.command is None:
        return report.Measured(None, "missing")
    if job.error is not None:
        return report.Measured(None, "error: " + job.error)
    peak = max(job.rss_kb) if job.rss_kb else None
    return report.Measured(job.median, peak_rss_kb=peak, samples=tuple(job.seconds))


def warm_measured(result: dict[str, object]) -> report.Measured:
    """Return a warm measurement's median, or why there is none."""
    seconds = result.get("seconds")
    if isinstance(seconds, list) and seconds:
        return report.Measured(statistics.median(seconds))
    if "unavailable" in result:
        return report.Measured(None, f"unavailable: {result['unavailable']}")
    return report.Measured(None, f"error: {result.get('error', 'no result')}")


def metrics(inputs: Inputs, sizes: Sizes, warm: dict[str, report.Measured]) -> list[report.Metric]:
    """Return every row of the table."""
    measured = {name: as_measured(job) for name, job in inputs.jobs.items()}
    measured["long"] = measured[f"long-{sizes.annotations}"]
    label = f"{inputs.words:,} words + {sizes.annotations:,} annotations"
    return (report.run1(measured) + report.run2(measured, label) + report.run3(measured, sizes.scale)
            + report.run4(warm, label) + report.run5(measured["long"]))


def problems(inputs: Inputs, warm: dict[str, report.Measured]) -> list[str]:
    """Return every failure worth reading in full: the engine's, then the peers'."""
    found = [f"{job.name}: {job.error}" for job in inputs.jobs.values() if job.error]
    found += [f"warm-{name}: {m.why}" for name, m in warm.items() if m.why.startswith("error")]
    return found


def header(inputs: Inputs, sizes: Sizes, args: argparse.Namespace, tools: dict[str, str]) -> list[str]:
    """Return the lines that say what was measured."""
    mode = "tiny (smoke test; sizes reduced, verdicts indicative only)" if args.tiny else "full"
    return [f"Glossator benchmark: {mode}; medians of {args.runs} run(s); seed {args.seed}",
            f"sample: {inputs.sample_label}",
            f"long article: {inputs.words:,} words; run 2 has {sizes.annotations:,} annotations, "
            f"{inputs.context['prefix']} with a prefix and {inputs.context['suffix']} with a suffix",
            "versions: " + "; ".join(f"{key} {value}" for key, value in tools.items())]


def benchmark(args: argparse.Namespace, root: Path) -> int:
    """Generate the inputs, measure everything, print the report; return the exit status."""
    sizes = TINY if args.tiny else FULL
    progress = (lambda text: None) if args.json else (lambda text: print(f"... {text}", file=sys.stderr))
    progress("generating inputs")
    inputs = make_inputs(root, sizes, args.seed)
    measure_all(list(inputs.jobs.values()), args.runs, root, progress)
    progress("warm rebuilds")
    warm = {name: warm_measured(measure_warm(root, name, folder, args.runs))
            for name, folder in (("sample", inputs.sample), ("long", inputs.long))}
    rows, tools = metrics(inputs, sizes, warm), peers.versions()
    found = problems(inputs, warm)
    if args.json:
        print(json.dumps({"mode": "tiny" if args.tiny else "full", "runs": args.runs, "seed": args.seed,
                          "sample": inputs.sample_label, "words": inputs.words, "context": inputs.context,
                          "versions": tools, "metrics": [row.to_json() for row in rows], "problems": found,
                          "samples_s": {n: j.seconds for n, j in inputs.jobs.items()}}, indent=2))
    else:
        print("\n".join([*header(inputs, sizes, args, tools), "", report.table(rows)]))
        if found:
            print("\nproblems:\n" + "\n\n".join(found))
    engine_failed = any(job.ours and job.error for job in inputs.jobs.values())
    return 1 if engine_failed or any(m.why.startswith("error") for m in warm.values()) else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description="Benchmark Glossator against its targets, pandoc and Hugo.")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of a table")
    parser.add_argument("--tiny", action="store_true", help="small inputs and 1 run: a smoke test of seconds")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated inputs (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the generated inputs and print where")
    parser.add_argument("--warm-child", type=Path, help=argparse.SUPPRESS)
    return parse_runs(parser, argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --warm-child, one warm measurement)."""
    args = parse_args(argv)
    if args.warm_child is not None:
        return warm_child(args.warm_child, args.runs)
    root = Path(tempfile.mkdtemp(prefix="glossator-bench-"))
    try:
        return benchmark(args, root)
    finally:
        if args.keep:
            print(f"inputs kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
