"""A long, densely annotated article made up for the print tests: some 11,000 words and 250 notes and corrections, in
paragraphs, lists, blockquotes and headings. Deterministic: the same text from every run.

Every note's passage holds a made-up name found nowhere else in the article ("the Kalomer railway"), so a test
can find the page it is printed on from the PDF's text."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

SLUG = "long-print"
WORDS = ("summit leaders talks trade military channel agreement envoy ministry statement dialogue tension "
         "cooperation region policy border security economy tariff market export diplomat harbour treaty council "
         "province archive letter island river valley bridge railway garden record harvest court ledger").split()
SYLLABLES = ("ka", "lo", "mer", "vin", "tas", "dor", "bel", "quin", "dra", "sol", "pen", "rik")


def name(index: int) -> str:
    """A made-up proper name, different for every index below 12**3."""
    parts = (SYLLABLES[index % 12], SYLLABLES[index // 12 % 12], SYLLABLES[index // 144 % 12])
    return "".join(parts).capitalize()


class _Writer:
    """Writes the body block by block, and an annotation for each passage it plants."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.annotations: list[dict[str, Any]] = []

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def sentence(self, count: int) -> str:
        return self.words(count).capitalize() + "."

    def passage(self) -> str:
        """A phrase to annotate, and its annotation: mostly short notes, some longer ones, a correction in ten."""
        index = len(self.annotations)
        quote = f"the {name(index)} {self.rng.choice(WORDS)}"
        roll = self.rng.random()
        length = (self.rng.randint(8, 25) if roll < 0.7 else self.rng.randint(40, 80) if roll < 0.95
                  else self.rng.randint(130, 180))
        note = self.sentence(length)
        if index % 10 == 7:
            annotation: dict[str, Any] = {"quote": quote, "kind": "correction",
                                          "original": quote.replace("the ", "the the ", 1), "note": note}
        elif index % 13 == 5:
            annotation = {"quote": quote, "note": f"{self.sentence(12)}\n\n- {self.words(6)}\n- {self.words(7)}\n"}
        else:
            annotation = {"quote": quote, "note": note}
        if index % 3 == 0:
            annotation["sources"] = [{"title": self.sentence(6).rstrip("."), "url": f"https://example.org/{index}"}]
        self.annotations.append(annotation)
        return quote

    def paragraph(self, passages: int) -> str:
        sentences = [self.sentence(self.rng.randint(9, 16)) for _ in range(5)]
        for _ in range(passages):
            at = self.rng.randrange(len(sentences))
            sentences[at] = sentences[at][:-1] + f", near {self.passage()}."
        return " ".join(sentences)

    def section(self, number: int) -> list[str]:
        heading = f"## Part {number}: {self.passage()}" if number % 4 == 0 else f"## Part {number}"
        lines = [heading, ""]
        for _ in range(6):
            lines += [self.paragraph(self.rng.choice((1, 1, 2, 2))), ""]
        lines += [f"- {self.words(10).capitalize()}, with {self.passage()}." for _ in range(2)]
        lines += [f"- *{self.words(12).capitalize()}*.", ""]
        if number % 2:
            lines += [f"> {self.paragraph(1)}", ">", f"> {self.sentence(20)}", ""]
        else:
            lines += [f"1. {self.words(14).capitalize()} at {self.passage()}.", f"2. {self.sentence(15)}", ""]
        return lines


def write_long_article(content: Path, *, sections: int = 20, seed: int = 15) -> tuple[int, int]:
    """Write the article and its sidecar into `content`; return its count of words and of annotations."""
    writer = _Writer(seed)
    lines = [f"An opening paragraph, {writer.paragraph(0)}", ""]
    for number in range(1, sections + 1):
        lines += writer.section(number)
    body = "\n".join(lines)
    # The title is set in the page headers through a CSS string: quotation marks and a backslash test its escaping.
    front = ("---\ntitle: 'A \"long\" article, densely annotated, for printing \\ on paper'\n"
             "byline: Test Desk\ndate: 2024-03-01\n---\n")
    content.mkdir(parents=True, exist_ok=True)
    (content / f"{SLUG}.md").write_text(front + body, encoding="utf-8")
    sidecar = yaml.safe_dump({"annotations": writer.annotations}, allow_unicode=True, sort_keys=False, width=100)
    (content / f"{SLUG}.annotations.yaml").write_text(sidecar, encoding="utf-8")
    return len(body.split()), len(writer.annotations)
