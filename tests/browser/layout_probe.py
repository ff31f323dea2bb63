"""Measure margin notes and their markers in a loaded article page, for the layout, phone and keyboard tests.

Every position is in document coordinates (CSS px from the top left of the page), so the figures do not depend on
where the page happens to be scrolled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from playwright.sync_api import Page

from tests.browser.harness import REPO

SAMPLE_ARTICLE = REPO / "site" / "blinken-us-china-relationship.html"
DENSE_CONTENT = REPO / "tests" / "fixtures" / "dense"
ARTICLES = ("sample", "dense")

DESKTOPS = ((1440, 900), (1280, 800))
PHONE = (390, 844)


def article_path(name: str, dense_site: Path) -> Path:
    """The built page of one of ARTICLES: the committed sample article, or the dense fixture built for this run."""
    return SAMPLE_ARTICLE if name == "sample" else dense_site / "dense.html"


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of(cls, data: dict[str, float]) -> Box:
        return cls(data["left"], data["top"], data["right"], data["bottom"])

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Note:
    """One annotation as the reader sees it: the marker shown, the line that holds it, the note box (None when
    the note is not displayed) and the text block (p, li, heading...) that holds the marker."""

    id: str
    marker: Box
    line: Box
    note: Box | None
    block: Box
    block_tag: str
    context: str  # "list", "blockquote", "heading" or "paragraph": where the marker stands
    with_passage: bool  # the marker shares its line with the last character before it (the passage's end)

    def __str__(self) -> str:
        return f"#{self.id} ({self.context})"


@dataclass(frozen=True)
class Layout:
    column: Box  # the text column: .article-body
    viewport_width: float
    scroll_width: float
    notes: list[Note]
    shown: list[str]  # ids of every note displayed, measured or not


# Finding "the line that holds the marker": a marker is superscript with line-height 0 (desktop) or a 24 px pill
# (phone), so its own box says little about the line box. The text character next to it does: a character's client
# rect is its font's content area, and the line box around it adds half the leading above and below. The character
# before the marker is tried first; if the marker wrapped onto the next line on its own, the character after it.
PROBE_JS = """
only => {
  const SKIP = ".sidenote, .vh, .marker, .toggle";
  const BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, blockquote, dd, dt, td, th, figcaption";
  const sx = window.scrollX, sy = window.scrollY;
  const box = r => ({left: r.left + sx, top: r.top + sy, right: r.right + sx, bottom: r.bottom + sy});
  const shown = el => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  function charRect(node, fromEnd) {
    const text = node.data;
    for (let k = 0; k < text.length; k++) {
      const i = fromEnd ? text.length - 1 - k : k;
      if (/\\s/.test(text[i])) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rects = range.getClientRects();
      if (rects.length) return {rect: rects[rects.length - 1], el: node.parentElement};
    }
    return null;
  }
  function neighbour(root, marker, forward) {
    // no NodeFilter callback: with JavaScript off the page cannot call back into a function of ours
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    walker.currentNode = marker;
    for (let node = forward ? walker.nextNode() : walker.previousNode(); node;
         node = forward ? walker.nextNode() : walker.previousNode()) {
      if (node.parentElement.closest(SKIP)) continue;
      const found = charRect(node, !forward);
      if (found) return found;
    }
    return null;
  }
  function lineOf(marker, root) {
    const m = marker.getBoundingClientRect();
    const middle = (m.top + m.bottom) / 2;
    for (const forward of [false, true]) {
      const found = neighbour(root, marker, forward);
      if (!found || middle < found.rect.top || middle > found.rect.bottom) continue;
      const style = getComputedStyle(found.el);
      const height = style.lineHeight === "normal" ? found.rect.height * 1.2 : parseFloat(style.lineHeight);
      const top = found.rect.top - (height - found.rect.height) / 2;
      return {box: box({left: m.left, top: top, right: m.right, bottom: top + height}), withPassage: !forward};
    }
    return null;
  }
  function context(marker) {
    if (marker.closest("li")) return "list";
    if (marker.closest("blockquote")) return "blockquote";
    // a heading's markers and notes follow it, on its line, in a .heading-notes wrapper
    if (marker.closest("h1, h2, h3, h4, h5, h6, .heading-notes")) return "heading";
    return "paragraph";
  }
  const all = [...document.querySelectorAll(".sidenote")];
  const notes = all.filter(note => !only || only.includes(note.id)).map(note => {
    const marker = [document.getElementById("ref-" + note.id),
                    document.querySelector('label[for="toggle-' + note.id + '"]')].find(shown);
    if (!marker) return {id: note.id, missing: "no visible marker"};
    const block = marker.closest(BLOCKS) || marker.parentElement;
    const line = lineOf(marker, block);
    if (!line) return {id: note.id, missing: "the marker is alone on its line, away from its passage"};
    return {id: note.id, marker: box(marker.getBoundingClientRect()), line: line.box, withPassage: line.withPassage,
            note: shown(note) ? box(note.getBoundingClientRect()) : null,
            block: box(block.getBoundingClientRect()), blockTag: block.tagName.toLowerCase(),
            context: context(marker)};
  });
  const root = document.documentElement;
  return {column: box(document.querySelector(".article-body").getBoundingClientRect()),
          viewportWidth: root.clientWidth, scrollWidth: root.scrollWidth, notes: notes,
          shown: all.filter(shown).map(note => note.id)};
}
"""


def measure(page: Page, only: list[str] | None = None) -> Layout:
    """Every note of the page (or those in `only`) with its marker, the marker's line and its text block; fails on
    a note with no visible marker, since a note the reader cannot reach is a layout bug in its own right."""
    data: dict[str, Any] = page.evaluate(PROBE_JS, only)
    missing = [f"#{n['id']}: {n['missing']}" for n in data["notes"] if "missing" in n]
    assert not missing, "notes without a measurable marker:\n" + "\n".join(missing)
    assert data["notes"] or only is not None, "the page has no notes"
    notes = [
        Note(
            id=n["id"],
            marker=Box.of(n["marker"]),
            line=Box.of(n["line"]),
            note=Box.of(n["note"]) if n["note"] else None,
            block=Box.of(n["block"]),
            block_tag=n["blockTag"],
            context=n["context"],
            with_passage=n["withPassage"],
        )
        for n in data["notes"]
    ]
    return Layout(Box.of(data["column"]), data["viewportWidth"], data["scrollWidth"], notes, data["shown"])


def shown_box(note: Note) -> Box:
    """The note's box, failing the test if the note is not displayed."""
    assert note.note is not None, f"note {note} is not displayed"
    return note.note


@dataclass(frozen=True)
class Distances:
    """How far each note's top lies below the top of its marker's line."""

    by_note: dict[str, float]

    @property
    def median(self) -> float:
        return median(self.by_note.values())

    @property
    def largest(self) -> float:
        return max(self.by_note.values())

    def report(self, label: str) -> str:
        worst = max(self.by_note, key=lambda key: self.by_note[key])
        return (
            f"{label}: {len(self.by_note)} notes; note top below its marker's line: "
            f"median {self.median:.1f} px, largest {self.largest:.1f} px (#{worst})"
        )


def distances(layout: Layout) -> Distances:
    """Each note's distance from its marker's line, for the report the issue asks for."""
    return Distances({n.id: shown_box(n).top - n.line.top for n in layout.notes})


# Text blocks whose positions must not move when notes disappear: everything a reader reads, outside the notes.
TEXT_BLOCKS_JS = """
() => [...document.querySelectorAll(
    ".page p, .page li, .page h1, .page h2, .page h3, .page h4, .page blockquote, .page pre, .page nav")]
  .filter(el => !el.closest(".sidenote"))
  .map(el => { const r = el.getBoundingClientRect();
               return [el.tagName.toLowerCase() + ":" + (el.textContent || "").trim().slice(0, 40),
                       r.left + scrollX, r.top + scrollY, r.width, r.height]; })
"""

TextBlock = tuple[str, float, float, float, float]


def text_blocks(page: Page) -> list[TextBlock]:
    """(label, left, top, width, height) of every text block outside the notes, in document order."""
    rows: list[list[Any]] = page.evaluate(TEXT_BLOCKS_JS)
    return [(str(r[0]), float(r[1]), float(r[2]), float(r[3]), float(r[4])) for r in rows]
