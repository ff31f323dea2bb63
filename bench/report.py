"""Turn measured medians into the benchmark's table: values, ratios, targets and verdicts."""

from __future__ import annotations

import operator
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Measured:
    """A median wall time, or why there is none ("missing", "error: ...", "unavailable: ...")."""

    value: float | None  # seconds, except where a caller says otherwise
    why: str = ""
    peak_rss_kb: int | None = None
    samples: tuple[float, ...] = ()  # one per round, in round order


@dataclass(frozen=True)
class Target:
    """A bound a metric is held to: value `op` bound, shown as text."""

    text: str
    test: Callable[[float, float], bool]
    bound: float


AT_MOST = operator.le
AT_LEAST = operator.ge


@dataclass(frozen=True)
class Metric:
    """One row of the table."""

    run: str
    name: str
    value: float | None
    unit: str
    target: str = ""
    verdict: str = ""  # PASS, FAIL, or why there is no value: missing, unavailable, error
    detail: str = ""  # the reason in full, when there is no value

    def to_json(self) -> dict[str, object]:
        """Return the row as plain data."""
        return asdict(self)


def _metric(run: str, name: str, measured: Measured, unit: str, target: Target | None = None) -> Metric:
    scale = {"ms": 1e3, "µs": 1e6}.get(unit, 1.0)
    value = None if measured.value is None else measured.value * scale
    if value is None:
        why = measured.why or "missing"
        return Metric(run, name, None, unit, target.text if target else "", why.split(":")[0], why)
    if target is None:
        return Metric(run, name, value, unit)
    verdict = "PASS" if target.test(value, target.bound) else "FAIL"
    return Metric(run, name, value, unit, target.text, verdict)


def ratio(top: Measured, bottom: Measured) -> Measured:
    """Return top / bottom, or the reason one side is absent."""
    if top.value is None or bottom.value is None:
        return Measured(None, top.why if top.value is None else bottom.why)
    if bottom.value <= 0:
        return Measured(None, "error: zero denominator")
    return Measured(top.value / bottom.value)


def run1(m: dict[str, Measured]) -> list[Metric]:
    """Cold build of the sample site, against the start-up floor and the peers."""
    sample = m["sample"]
    return [
        _metric("1", "cold build, sample site", sample, "ms"),
        _metric("1", "the same, no compiled layouts kept (a first build)", m["sample-first"], "ms"),
        _metric("1", "start-up floor: import markdown_it, jinja2, yaml", m["floor"], "ms"),
        _metric("1", "pandoc, sample article", m["pandoc-sample"], "ms"),
        _metric("1", "hugo, sample article", m["hugo-sample"], "ms"),
        _metric("1", "run 1 / start-up floor", ratio(sample, m["floor"]), "x", Target("<= 1.3", AT_MOST, 1.3)),
        _metric("1", "first build / start-up floor", ratio(m["sample-first"], m["floor"]), "x"),
        _metric("1", "run 1 / pandoc", ratio(sample, m["pandoc-sample"]), "x"),
        _metric("1", "run 1 / hugo", ratio(sample, m["hugo-sample"]), "x"),
    ]


def run2(m: dict[str, Measured], label: str) -> list[Metric]:
    """Cold build of the long article, against the peers on its Markdown."""
    long = m["long"]
    return [
        _metric("2", f"cold build, {label}", long, "ms"),
        _metric("2", "pandoc, same Markdown", m["pandoc-long"], "ms"),
        _metric("2", "hugo, same Markdown", m["hugo-long"], "ms"),
        _metric("2", "pandoc / run 2 (our speed-up)", ratio(m["pandoc-long"], long), "x",
                Target(">= 3", AT_LEAST, 3.0)),
        _metric("2", "run 2 / hugo", ratio(long, m["hugo-long"]), "x", Target("<= 5", AT_MOST, 5.0)),
        *_parser_alone(m, "markdown-it-default-long", "markdown-it-py alone, default configuration"),
        *_parser_alone(m, "markdown-it-lean-long", "markdown-it-py alone, Glossator's article parser"),
        _metric("2", "run 2 / markdown-it-py alone, default", ratio(long, m["markdown-it-default-long"]), "x"),
    ]


def _parser_alone(m: dict[str, Measured], name: str, label: str) -> list[Metric]:
    """The same Markdown rendered by markdown-it-py and nothing else: the least a build on it can take."""
    return [
        _metric("2", f"{label} (no notes, no layouts)", m[name], "ms"),
        _metric("2", "  pandoc / it", ratio(m["pandoc-long"], m[name]), "x"),
        _metric("2", "  it / hugo", ratio(m[name], m["hugo-long"]), "x"),
    ]


def per_annotation(with_n: Measured, without: Measured, n: int) -> Measured:
    """Return (build time with n annotations - build time with none) / n.

    Round by round where both have every round: the two builds ran one after the other, so a
    slow spell of the machine that spans a round cancels out; then the median over rounds.
    """
    if with_n.value is None or without.value is None:
        return Measured(None, with_n.why if with_n.value is None else without.why)
    if with_n.samples and len(with_n.samples) == len(without.samples):
        pairs = zip(with_n.samples, without.samples, strict=True)
        return Measured(statistics.median((a - b) / n for a, b in pairs))
    return Measured((with_n.value - without.value) / n)


def run3(m: dict[str, Measured], sizes: tuple[int, ...]) -> list[Metric]:
    """Anchoring scale: time per annotation at each size, and how flat it stays."""
    base = m["long-0"]
    rows = [_metric("3", "cold build, 0 annotations", base, "ms")]
    each = {n: per_annotation(m[f"long-{n}"], base, n) for n in sizes}
    for n in sizes:
        rows.append(_metric("3", f"cold build, {n:,} annotations", m[f"long-{n}"], "ms"))
        rows.append(_metric("3", f"per annotation at {n:,}", each[n], "µs"))
    name = f"per annotation, largest / smallest ({sizes[0]:,}..{sizes[-1]:,})"
    rows.append(_metric("3", name, flatness(list(each.values())), "x", Target("<= 1.25", AT_MOST, 1.25)))
    return rows


def flatness(each: list[Measured]) -> Measured:
    """Return the largest time per annotation over the smallest, or why there is none."""
    missing = [e.why for e in each if e.value is None]
    if missing:
        return Measured(None, missing[0])
    values = [e.value for e in each if e.value is not None]
    if min(values) <= 0:
        return Measured(None, "noise: a time per annotation is not positive; use more runs")
    return Measured(max(values) / min(values))


def run4(warm: dict[str, Measured], label: str) -> list[Metric]:
    """Warm rebuild in one process after a one-line sidecar edit."""
    return [
        _metric("4", "warm rebuild, sample article", warm["sample"], "ms", Target("<= 15", AT_MOST, 15.0)),
        _metric("4", f"warm rebuild, {label}", warm["long"], "ms", Target("<= 250", AT_MOST, 250.0)),
    ]


def run5(long: Measured) -> list[Metric]:
    """Peak memory of run 2's process (the largest over its runs)."""
    peak = Measured(None, long.why) if long.peak_rss_kb is None else Measured(long.peak_rss_kb / 1024)
    return [_metric("5", "peak RSS, run 2", peak, "MiB", Target("<= 200", AT_MOST, 200.0))]


def _cell(metric: Metric) -> str:
    if metric.value is None:
        return "—"
    if metric.unit == "x":
        return f"{metric.value:.3f}x" if metric.value < 10 else f"{metric.value:.1f}x"
    return f"{metric.value:,.1f} {metric.unit}" if metric.value < 100 else f"{metric.value:,.0f} {metric.unit}"


def table(metrics: list[Metric]) -> str:
    """Return the metrics as an aligned text table."""
    rows = [("run", "measure", "median", "target", "verdict")]
    rows += [(m.run, m.name, _cell(m), m.target, m.verdict) for m in metrics]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) if i != 2 else cell.rjust(widths[i]) for i, cell in enumerate(row))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
