"""Notes rendered, and a Web Annotation file made, ahead in a forked child are what the build's own process makes."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.site_corpus import SiteSize, write_site
from glossator import parallel, pipeline
from glossator.load.layouts import load_layouts
from glossator.model import Site
from glossator.parallel import PROCESSES, fork_ahead
from glossator.render import markdown, page
from glossator.render.look import prepare_look
from glossator.render.markdown import note_parser, notes_rendered_ahead, render_parsed_note, standalone_note_parser

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a child is forked on Linux only")

NOTES = [f"Note {n} with *emphasis*, a [link](https://example.org/{n}) and `code`." for n in range(60)] + [
    f"- item {n}\n- another\n\n1. one\n2. two" for n in range(30)] + [
    f"A paragraph {n}.\n\nAnother, with [a reference][r].\n\n[r]: https://example.org/r" for n in range(30)] + [
    "# heading\n\n> quote\n\n    code\n\n***", "Plain words only", "Plain words only"]


@pytest.fixture(autouse=True)
def _two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROCESSES, "2")  # whatever the machine's cores: the child is what is tested
    # A build forks no child while other threads run; the suite's browser tests leave idle server threads behind
    # in this process, which the children here never touch.
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def _rendered() -> list[tuple[str, str]]:
    return [(render_parsed_note(note_parser(), note), render_parsed_note(standalone_note_parser(), note))
            for note in NOTES]


def test_notes_rendered_ahead_are_the_ones_rendered_here() -> None:
    here = _rendered()
    markdown.forget_parsed_notes()
    with notes_rendered_ahead(NOTES):
        assert markdown._ahead.pending is not None  # the child was started
        ahead = _rendered()
        assert markdown._ahead.rendered  # and its HTML used
    assert ahead == here
    assert markdown._ahead.rendered == {}  # nothing kept past the block


def test_a_few_notes_or_one_process_render_here(monkeypatch: pytest.MonkeyPatch) -> None:
    with notes_rendered_ahead(NOTES[:5]):
        assert markdown._ahead.pending is None  # a fork would cost more than it saves
    monkeypatch.setenv(PROCESSES, "1")
    with notes_rendered_ahead(NOTES):
        assert markdown._ahead.pending is None
        assert _rendered()[0][0].startswith("<span")


def test_a_child_that_fails_gives_nothing_and_the_notes_render_here() -> None:
    def fails() -> dict[str, tuple[str, str]]:
        raise RuntimeError("in the child")

    failing = fork_ahead(fails)
    assert failing is not None and failing.result() is None
    assert failing.result() is None  # collected once


def test_a_child_given_up_is_ended_and_reaped() -> None:
    waiting = fork_ahead(lambda: time.sleep(60))
    assert waiting is not None
    pid = waiting._pid
    waiting.give_up()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no such child any more


def test_no_child_from_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_in_worker", True)
    assert fork_ahead(dict) is None


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_an_article_built_with_its_notes_and_web_annotations_made_ahead_is_byte_identical(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = write_site(tmp_path / "content", SiteSize(articles=1, words=4_000, annotations=150), seed=5).content
    forked: list[str] = []
    fork = parallel.fork_ahead

    def counted(compute: Callable[[], object], **options: bool) -> object:
        ahead = fork(compute, **options)
        # Named by the function that asked for the child.
        forked.append(compute.__qualname__.split(".")[0] if ahead is not None else "none")
        return ahead

    monkeypatch.setattr(markdown, "fork_ahead", counted)
    monkeypatch.setattr(parallel, "fork_ahead", counted)
    built = {}
    for count in ("1", "2"):
        monkeypatch.setenv(PROCESSES, count)
        with pipeline.collector_paused():
            result = pipeline.build(content, None, tmp_path / count, keep=False)
        assert result.problems == [] and result.annotations == 150
        built[count] = _files(tmp_path / count)
    # One process: none. Two: the notes' Markdown while the body is parsed, then their partials and the Web
    # Annotation file while the page renders.
    assert forked == ["none"] * 3 + ["notes_rendered_ahead", "partials_rendered_ahead", "collection_made_ahead"]
    assert len(built["2"]) > 3 and built["1"] == built["2"]


def test_partials_rendered_ahead_are_the_ones_rendered_here(tmp_path: Path) -> None:
    content = write_site(tmp_path / "content", SiteSize(articles=1, words=2_000, annotations=120), seed=3).content
    look = prepare_look(load_layouts(None)[0], "theme", Site())[0]
    assert look is not None
    with pipeline.collector_paused():
        works, _, problems = pipeline.checked_articles(content)
    anchored = works[0].anchored
    assert problems == [] and anchored is not None
    here = page.render_article(anchored, look)
    with page.partials_rendered_ahead(anchored, look):
        assert page._partials_ahead.pending is not None
        ahead = page.render_article(anchored, look)
        assert page._partials_ahead.pending is None  # collected, once the marks were in
    assert ahead == here
    failing = fork_ahead(lambda: 1 // 0)
    page._partials_ahead.pending, page._partials_ahead.of = failing, (anchored, look)  # as `during` leaves them
    assert page.render_article(anchored, look) == here  # a child that failed: rendered here
