"""Notes rendered ahead in a forked child give the same HTML as rendered in the build's own process."""

import os
import sys
import time

import pytest

from glossator import parallel
from glossator.parallel import PROCESSES, fork_ahead
from glossator.render import markdown
from glossator.render.markdown import note_parser, notes_rendered_ahead, render_parsed_note, standalone_note_parser

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a child is forked on Linux only")

NOTES = [f"Note {n} with *emphasis*, a [link](https://example.org/{n}) and `code`." for n in range(60)] + [
    f"- item {n}\n- another\n\n1. one\n2. two" for n in range(30)] + [
    f"A paragraph {n}.\n\nAnother, with [a reference][r].\n\n[r]: https://example.org/r" for n in range(30)] + [
    "# heading\n\n> quote\n\n    code\n\n***", "Plain words only", "Plain words only"]


@pytest.fixture(autouse=True)
def _two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROCESSES, "2")  # whatever the machine's cores: the child is what is tested


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
