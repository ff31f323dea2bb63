"""Time a cold build of a generated site of many articles, in one process and on every core, against peers.

Run from the repository: `.venv/bin/python bench/site_scale.py [--runs N] [--articles N] [--json] [--tiny]`.
The site (default 200 articles of 5,000 words and 50 annotations each) is generated from the seed in a
temporary folder. Each measurement is whole processes, timed from start to exit, peak memory from wait4():
`build.py build` with GLOSSATOR_PROCESSES=1 and with every core; pandoc converting each article's Markdown,
one process per article (their times summed); Hugo building one site of all the articles. Rounds are
interleaved after one untimed warm-up; numbers are medians. Targets are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the package `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peers
from bench.site_corpus import FULL_SITE, TINY_SITE, GeneratedSite, SiteSize, write_site
from bench.timing import REPO, engine_python, parse_runs, run_once

LAYOUTS = REPO / "glossator" / "theme"


@dataclass
class Measure:
    """One measurement: the commands of one round (run one after another), and what each round took."""

    name: str
    commands: list[list[str]] | None  # None: the tool is missing
    environment: dict[str, str] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    error: str | None = None
    before: Callable[[int], None] | None = None  # run before each round's commands, untimed, given the round
    out: Path | None = None  # build into this folder every round, kept between them; None: a fresh one each round

    def value(self) -> float | None:
        """Return the median seconds, or None."""
        return statistics.median(self.seconds) if self.seconds and self.error is None else None

    def why(self) -> str:
        """Say why there is no value."""
        return "missing" if self.commands is None else f"error: {self.error}" if self.error else ""


def build_measure(name: str, content: Path, processes: str | None, root: Path) -> Measure:
    """Return the measurement of a cold `build.py build` of the site, with this many processes (None: every core):
    nothing kept from an earlier build but the compiled layouts."""
    command = [engine_python(), str(REPO / "build.py"), "build", "--content", str(content),
               "--layouts", str(LAYOUTS), "--out", "{out}"]
    environment = {"GLOSSATOR_PROCESSES": processes or ""}  # "": every core, whatever the caller set
    return Measure(name, [command], environment, before=lambda round_: forget_articles(root))


def forget_articles(root: Path) -> None:
    """Remove the articles the builds kept (glossator/article_cache.py) from the scratch folder's cache."""
    shutil.rmtree(root / "cache" / "glossator" / "articles", ignore_errors=True)


def rebuild_measure(name: str, content: Path, root: Path, edit: bool) -> Measure:
    """Return the measurement of `build.py build` into the folder the round before built, every core, with the
    articles it kept: with nothing changed, or after one article's sidecar was edited (a note's text)."""
    measure = build_measure(name, content, None, root)
    measure.out = root / f"kept-{name}" / "site"
    sidecar = sorted(content.glob("*.annotations.yaml"))[len(list(content.glob("*.md"))) // 2]
    text = sidecar.read_text(encoding="utf-8")
    note = re.search(r"^    note: (.+)$", text, re.MULTILINE)
    assert note is not None, f"no note to edit in {sidecar}"

    def edited(round_: int) -> None:
        said = note.group(1)  # in double quotes, as the corpus writes notes
        again = f'"Edit {round_}. {said[1:]}' if said.startswith('"') else f"Edit {round_}. {said}"
        sidecar.write_text(text.replace(note.group(0), f"    note: {again}", 1), encoding="utf-8")

    measure.before = edited if edit else None
    return measure


def pandoc_measure(root: Path, site: GeneratedSite) -> Measure:
    """Return pandoc converting each article's Markdown body to a standalone HTML page, one process each."""
    if shutil.which("pandoc") is None:
        return Measure("pandoc", None)
    commands = []
    for slug, body in site.bodies.items():
        source = root / "pandoc" / f"{slug}.md"
        source.parent.mkdir(exist_ok=True)
        source.write_text(body, encoding="utf-8")
        commands.append(["pandoc", "-s", "-f", "commonmark", "-t", "html", "--metadata", f"title={slug}",
                         "-o", f"{{out}}-{slug}.html", str(source)])
    return Measure("pandoc", commands)


def hugo_measure(root: Path, site: GeneratedSite) -> Measure:
    """Return Hugo building one site of every article's Markdown body (a minimal one-layout site)."""
    if shutil.which("hugo") is None:
        return Measure("hugo", None)
    folder = root / "hugo-site"
    (folder / "content").mkdir(parents=True)
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "config.toml").write_text(peers.HUGO_CONFIG, encoding="utf-8")
    (folder / "layouts" / "_default" / "single.html").write_text(peers.HUGO_LAYOUT, encoding="utf-8")
    for slug, body in site.bodies.items():
        (folder / "content" / f"{slug}.md").write_text(f"---\ntitle: {slug}\ndate: 2024-01-01\n---\n{body}",
                                                       encoding="utf-8")
    return Measure("hugo", [["hugo", "--quiet", "--noBuildLock", "--source", str(folder), "--destination", "{out}",
                             "--cacheDir", str(root / "hugo-cache")]])


def measure_round(measure: Measure, scratch: Path, *, record: bool) -> None:
    """Run the measurement's commands once, into a fresh output folder; keep the total time and the peak memory."""
    if measure.commands is None or measure.error is not None:
        return
    if measure.before is not None:
        measure.before(len(measure.seconds))
    out = measure.out or Path(tempfile.mkdtemp(dir=scratch, prefix="out-")) / "site"
    total, peak = 0.0, 0
    for command in measure.commands:
        seconds, rss, code, stderr = run_once([part.replace("{out}", str(out)) for part in command], scratch,
                                              measure.environment)
        if code != 0:
            measure.error = f"exit {code}: " + "\n".join(stderr.strip().splitlines()[-12:])
            break
        total, peak = total + seconds, max(peak, rss)
    if measure.out is None:
        shutil.rmtree(out.parent, ignore_errors=True)
    if record and measure.error is None:
        measure.seconds.append(total)
        measure.rss_kb.append(peak)


def ratio(top: Measure, bottom: Measure) -> float | None:
    """Return top's median over bottom's, or None when either is missing."""
    a, b = top.value(), bottom.value()
    return a / b if a is not None and b else None


def rows(measures: dict[str, Measure]) -> list[dict[str, object]]:
    """Return the report's rows: each measurement, then the ratios with their targets."""
    found: list[dict[str, object]] = []
    for m in measures.values():
        peak = max(m.rss_kb) / 1024 if m.rss_kb else None
        found.append({"name": f"{m.name}: wall time", "value": m.value(), "unit": "s", "target": "",
                      "why": m.why()})
        if m.name.startswith("glossator"):
            found.append({"name": f"{m.name}: peak RSS (largest process)", "value": peak, "unit": "MiB",
                          "target": "<= 200", "why": m.why()})
    one, every = measures["glossator-1-process"], measures["glossator-all-cores"]
    for name, value, target in (
        ("one process / all cores (speed-up)", ratio(one, every), ">= 1.7"),
        ("no-change rebuild / cold build, all cores", ratio(measures["glossator-no-change"], every), "<= 0.1"),
        ("no-change rebuild / cold build, one process", ratio(measures["glossator-no-change"], one), "<= 0.1"),
        ("one article edited / cold build, all cores", ratio(measures["glossator-one-edit"], every), ""),
        ("pandoc / glossator all cores (our speed-up)", ratio(measures["pandoc"], every), ">= 3"),
        ("glossator all cores / hugo", ratio(every, measures["hugo"]), ""),
    ):
        found.append({"name": name, "value": value, "unit": "x", "target": target,
                      "why": "" if value is not None else "missing"})
    return found


def verdict(row: dict[str, object]) -> str:
    """Return PASS or FAIL against the row's target, or why there is no value."""
    value, target = row["value"], str(row["target"])
    if value is None:
        return str(row["why"]).split(":")[0] or "missing"
    if not target:
        return ""
    bound = float(target.split()[1])
    passed = value <= bound if target.startswith("<=") else value >= bound  # type: ignore[operator]
    return "PASS" if passed else "FAIL"


def table(found: list[dict[str, object]]) -> str:
    """Return the rows as a plain-text table."""
    lines = [f"{'measure':<46} {'value':>10} {'unit':<4} {'target':<8} verdict"]
    for row in found:
        value = row["value"]
        shown = f"{value:,.2f}" if isinstance(value, float) else "-"
        lines.append(f"{row['name']:<46} {shown:>10} {row['unit']:<4} {row['target']:<8} {verdict(row)}")
    return "\n".join(lines)


def benchmark(args: argparse.Namespace, root: Path) -> int:
    """Generate the site, measure everything, print the report; return the exit status."""
    size = TINY_SITE if args.tiny else FULL_SITE
    size = SiteSize(args.articles or size.articles, size.words, size.annotations)
    progress = (lambda text: None) if args.json else (lambda text: print(f"... {text}", file=sys.stderr))
    progress(f"generating {size.articles} articles")
    site = write_site(root / "content", size, args.seed)
    measures = {m.name: m for m in (build_measure("glossator-1-process", site.content, "1", root),
                                    build_measure("glossator-all-cores", site.content, None, root),
                                    rebuild_measure("glossator-no-change", site.content, root, edit=False),
                                    rebuild_measure("glossator-one-edit", site.content, root, edit=True),
                                    pandoc_measure(root, site), hugo_measure(root, site))}
    for round_ in range(args.runs + 1):
        progress(f"round {round_}/{args.runs}" + (" (warm-up, not counted)" if round_ == 0 else ""))
        for m in measures.values():
            measure_round(m, root, record=round_ > 0)
    found = rows(measures)
    head = {"mode": "tiny" if args.tiny else "full", "runs": args.runs, "seed": args.seed, "articles": size.articles,
            "words": site.words, "annotations": site.annotations, "versions": peers.versions(),
            "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()}
    if args.json:
        print(json.dumps({**head, "rows": [{**row, "verdict": verdict(row)} for row in found],
                          "samples_s": {m.name: m.seconds for m in measures.values()}}, indent=2))
    else:
        print(f"Glossator site scale: {head['mode']}; medians of {args.runs} run(s); seed {args.seed}\n"
              f"site: {size.articles} articles, {site.words:,} words, {site.annotations:,} annotations; "
              f"{head['cores']} cores\nversions: " + "; ".join(f"{k} {v}" for k, v in head["versions"].items())
              + "\n\n" + table(found))
    failed = [m for m in measures.values() if m.name.startswith("glossator") and m.error]
    for m in failed:
        print(f"{m.name}: {m.error}", file=sys.stderr)
    return 1 if failed else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description="Time a cold build of a generated site of many articles.")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (default 3; --tiny: 1)")
    parser.add_argument("--articles", type=int, default=0, help="articles in the site (default 200; --tiny: 10)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of a table")
    parser.add_argument("--tiny", action="store_true", help="10 articles of 500 words and 1 run: seconds")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated site (default 1)")
    return parse_runs(parser, argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark in a temporary folder, removed after."""
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="glossator-site-scale-"))
    try:
        return benchmark(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
