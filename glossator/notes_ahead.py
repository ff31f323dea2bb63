"""Note bodies rendered in a second process while the first parses and anchors the articles.

A note's body depends on its text alone, so its HTML can be made before anything is anchored. For a long,
heavily annotated article that is a seventh of the build (2,000 notes: about 100 ms), and a build has the
machine's other cores to itself: a forked child renders the bodies while the parent parses.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable
from typing import NoReturn

from .markdown import note_parser, render_note

NoteBodies = Callable[[], dict[str, str]]  # waits for the child: each note's text to its body's HTML

# Below this many distinct note texts, starting a process costs about what it saves.
WORTH_A_PROCESS = 200


def render_ahead(notes: Iterable[str]) -> NoteBodies:
    """Start rendering these note bodies in a child process; return a call that waits for their HTML.

    Where forking is not safe (a platform other than Linux, where system libraries may not survive a fork,
    or a process with other threads, such as `watch`) or not worth it, the call returns nothing, and the
    render stage renders each body itself. Either way it must be called once, so that the child ends."""
    texts = sorted(set(notes))
    if len(texts) < WORTH_A_PROCESS or sys.platform != "linux" or threading.active_count() > 1:
        return dict
    return fork_render(texts)


def fork_render(texts: list[str]) -> NoteBodies:
    """Render the texts in a forked child; return a call that waits for it."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        _render_in_child(texts, read_end, write_end)
    os.close(write_end)
    return lambda: _collect(pid, read_end, texts)


def _render_in_child(texts: list[str], read_end: int, write_end: int) -> NoReturn:
    status = 1
    try:
        os.close(read_end)
        md = note_parser()
        payload = pickle.dumps([render_note(md, text) for text in texts], protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        # Never return into the parent's code or run its exit handlers: they flush its output a second time.
        os._exit(status)


def _collect(pid: int, read_end: int, texts: list[str]) -> dict[str, str]:
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:  # the child failed: the render stage renders the bodies itself
        return {}
    html: list[str] = pickle.loads(payload)
    return dict(zip(texts, html, strict=True))
