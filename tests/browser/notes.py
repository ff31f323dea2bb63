"""Read an article page's notes and markers as the DOM holds them, for the screen-reader, link, print and
conformance tests.

Text is read with textContent, which never includes CSS generated content: what these helpers return is what the
HTML itself says.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from playwright.sync_api import Page

from tests.browser.harness import REPO

SITE = REPO / "site"
SAMPLE_SLUG = "blinken-us-china-relationship"
SAMPLE_PAGE = SITE / f"{SAMPLE_SLUG}.html"
SAMPLE_CONTENT = REPO / "content"
DENSE_CONTENT = REPO / "tests" / "fixtures" / "dense"
ARTICLES = ("sample", "dense")
DESKTOP = (1440, 900)
PHONE = (390, 844)


def article_page(name: str, dense_site: Path) -> Path:
    """The built page of one of ARTICLES: the committed sample article, or the dense fixture built for this run."""
    return SAMPLE_PAGE if name == "sample" else dense_site / "dense.html"


def sidecar(name: str) -> Path:
    """The annotations file the page of one of ARTICLES was built from."""
    if name == "sample":
        return SAMPLE_CONTENT / f"{SAMPLE_SLUG}.annotations.yaml"
    return DENSE_CONTENT / "dense.annotations.yaml"


def corrections_original(name: str) -> list[str]:
    """Every correction's `original`, in the sidecar's order."""
    data = yaml.safe_load(sidecar(name).read_text(encoding="utf-8"))
    return [a["original"] for a in data["annotations"] if a.get("kind") == "correction"]


def fold(text: str) -> str:
    """Whitespace runs as one space, NFC: text compared as a reader sees it."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@dataclass(frozen=True)
class NoteFacts:
    """One note as the DOM holds it, with the marker that leads to it."""

    id: str
    kind: str  # "note" or "correction"
    note_label: str  # the literal label text at the head of the note
    note_name: str  # the note's aria-label
    note_back_href: str  # where the note's label links: its marker
    marker_id: str
    marker_label: str  # the marker's visible text (its visually hidden words left out)
    marker_text: str  # all of the marker's text, visually hidden words included
    marker_href: str
    toggle_controls: str  # the phone toggle's aria-controls
    toggle_label_text: str


# One pass over the page in the browser: a round trip per note would cost seconds on the dense fixture.
_FACTS_JS = """
() => {
  const visible = el => Array.from(el.childNodes)
    .filter(n => !(n.nodeType === 1 && n.classList.contains("vh"))).map(n => n.textContent).join("");
  return Array.from(document.querySelectorAll(".sidenote")).map(note => {
    const marker = document.querySelector('.marker-link[href="#' + CSS.escape(note.id) + '"]');
    const toggle = document.getElementById("toggle-" + note.id);
    const label = document.querySelector('label[for="toggle-' + CSS.escape(note.id) + '"]');
    const back = note.querySelector(".note-label");
    return {
      id: note.id,
      kind: note.classList.contains("sidenote-correction") ? "correction" : "note",
      note_label: back ? back.textContent : "",
      note_name: note.getAttribute("aria-label") || "",
      note_back_href: back ? back.getAttribute("href") : "",
      marker_id: marker ? marker.id : "",
      marker_label: marker ? visible(marker) : "",
      marker_text: marker ? marker.textContent : "",
      marker_href: marker ? marker.getAttribute("href") : "",
      toggle_controls: toggle ? toggle.getAttribute("aria-controls") || "" : "",
      toggle_label_text: label ? label.textContent : "",
    };
  });
}
"""


def note_facts(page: Page) -> list[NoteFacts]:
    """Every note on the page, in document (reading) order."""
    rows: list[dict[str, Any]] = page.evaluate(_FACTS_JS)
    return [NoteFacts(**row) for row in rows]


def expected_names(facts: list[NoteFacts]) -> list[str]:
    """What each note should be called, counted in reading order: "Note 1", "Note 2", "Correction 1"..."""
    counts = {"note": 0, "correction": 0}
    names = []
    for fact in facts:
        counts[fact.kind] += 1
        names.append(f"{fact.kind.capitalize()} {counts[fact.kind]}")
    return names


def visible_text_runs(page: Page, selector: str) -> list[list[str]]:
    """For each element matching selector, its text nodes in order, visually hidden (.vh) ones left out."""
    runs: list[list[str]] = page.eval_on_selector_all(
        selector,
        """els => els.map(el => {
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          const out = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (!n.parentElement.closest(".vh")) out.push(n.data);
          }
          return out;
        })""",
    )
    return runs
