"""Notes rendered, and a Web Annotation file made, ahead in a forked child are what the build's own process makes."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.site_corpus import SiteSize, write_site
from glossator import parallel, pipeline, stages
from glossator.load.layouts import load_layouts
from glossator.model import Site
from glossator.parallel import PROCESSES, fork_ahead
from glossator.render import markdown, page
from glossator.render.look import prepare_look
from glossator.render.markdown import note_parser, notes_rendered_ahead, render_parsed_note, standalone_note_parser
from tests.conftest import ARTICLE, SIDECAR
from tests.test_article_cache import PNG, RECEIVED

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
    pid = waiting._child.pid
    assert pid is not None
    waiting.give_up()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no such child any more


def test_no_child_from_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_in_worker", True)
    assert fork_ahead(dict) is None


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _counted_forks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each child a build asks for, named by the function that asked, or 'none' where none was started."""
    forked: list[str] = []
    fork, fork_then = parallel.fork_ahead, parallel.fork_ahead_then

    def counted(compute: Callable[[], object], **options: bool) -> object:
        ahead = fork(compute, **options)
        forked.append(compute.__qualname__.split(".")[0] if ahead is not None else "none")
        return ahead

    def counted_then(first: Callable[[], object], then: Callable[[object], object]) -> object:
        ahead = fork_then(first, then)
        forked.append(first.__qualname__.split(".")[0] if ahead is not None else "none")
        return ahead

    for module in (markdown, parallel):
        monkeypatch.setattr(module, "fork_ahead", counted)
    monkeypatch.setattr(stages, "fork_ahead_then", counted_then)
    return forked


def _built(content: Path, out: Path, count: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    monkeypatch.setenv(PROCESSES, count)
    with pipeline.collector_paused():
        result = pipeline.build(content, None, out, keep=False)
    assert result.problems == []
    return _files(out)


def test_an_article_built_with_its_notes_and_web_annotations_made_ahead_is_byte_identical(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = write_site(tmp_path / "content", SiteSize(articles=1, words=4_000, annotations=150), seed=5).content
    forked = _counted_forks(monkeypatch)
    built = {count: _built(content, tmp_path / count, count, monkeypatch) for count in ("1", "2")}
    # One process: none. Two: the notes' Markdown while the body is parsed, then their partials and the Web
    # Annotation file while the page renders.
    assert forked == ["none"] * 3 + ["notes_rendered_ahead", "partials_rendered_ahead", "collection_made_ahead"]
    assert len(built["2"]) > 3 and built["1"] == built["2"]


def test_a_long_sidecar_is_loaded_and_validated_in_a_child_while_the_body_is_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = write_site(tmp_path / "content", SiteSize(articles=1, words=6_000, annotations=300), seed=7).content
    forked = _counted_forks(monkeypatch)
    built = {count: _built(content, tmp_path / count, count, monkeypatch) for count in ("1", "2")}
    # One process: none (the body is not read twice). Two: the sidecar's load and validation, then the notes'
    # Markdown, in the first child.
    assert forked == ["none"] * 3 + ["through_files", "partials_rendered_ahead", "collection_made_ahead"]
    assert len(built["2"]) > 3 and built["1"] == built["2"]


def _small_site(root: Path) -> Path:
    """Articles of every shape the load stage knows: a received text and a picture, no sidecar, a sidecar error."""
    content = root / "content"
    content.mkdir()
    article = ARTICLE.replace("title: A small article\n", "title: A small article\nsource: received.txt\n")
    (content / "small.md").write_text(article + "\n![a dot](dot.png)\n", encoding="utf-8")
    (content / "small.annotations.yaml").write_text(SIDECAR, encoding="utf-8")
    (content / "received.txt").write_text(RECEIVED, encoding="utf-8")
    (content / "dot.png").write_bytes(PNG)
    (content / "bare.md").write_text(ARTICLE, encoding="utf-8")
    (content / "bare.annotations.yaml").write_text("annotations: []\n", encoding="utf-8")
    return content


def _checked(content: Path, count: str, monkeypatch: pytest.MonkeyPatch) -> pipeline.Result:
    monkeypatch.setenv(PROCESSES, count)
    with pipeline.collector_paused():
        return pipeline.check(content)


@pytest.mark.parametrize("failing", [None, "_validated_to_send", "_notes_rendered"])
def test_what_the_child_loads_is_what_this_process_loads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str | None) -> None:
    """Every article through the child, short or long: the same files and the same problems; a child that fails
    before sending the article, or its notes, leaves this process to make them."""
    content = _small_site(tmp_path)
    monkeypatch.setattr(stages, "_BYTES_WORTH_A_CHILD", 0)
    one = _checked(content, "1", monkeypatch)
    forked = _counted_forks(monkeypatch)
    if failing is not None:
        monkeypatch.setattr(stages, failing, lambda *args: 1 // 0)  # in the child: the parent never calls it
    two = _checked(content, "2", monkeypatch)
    assert forked.count("through_files") == 2
    assert one.problems == two.problems == [] and one.files == two.files and len(one.files) > 5

    (content / "small.annotations.yaml").write_text(SIDECAR.replace("quote: brown fox jumps", "quote: no such words"),
                                                    encoding="utf-8")
    assert _checked(content, "2", monkeypatch).problems == _checked(content, "1", monkeypatch).problems != []


def test_an_article_saved_after_this_process_read_its_body_is_made_from_what_the_child_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = _small_site(tmp_path)
    monkeypatch.setattr(stages, "_BYTES_WORTH_A_CHILD", 0)
    one = _checked(content, "1", monkeypatch)
    # As if the file were saved between this process's read and the child's: the older body is not used.
    monkeypatch.setattr(stages, "body_of", lambda content, path: "An older body, without the fox.\n")
    assert _checked(content, "2", monkeypatch).files == one.files


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
