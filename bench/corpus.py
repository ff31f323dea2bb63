"""Generate a long annotated article, deterministically from a seed.

The article mixes paragraphs, headings, lists and blockquotes, with emphasis, strong text and
links inside sentences. A handful of refrains recur all through it, so some passages repeat and
their annotations need a `prefix` or `suffix` to say which occurrence they mean. Every quote is
checked against the article's reading text (what a reader sees, blocks joined by one space): it
occurs exactly once, or exactly once with its prefix or suffix attached.
"""

from __future__ import annotations

import json
import random
from bisect import bisect_right
from dataclasses import dataclass, field

_WORD_LIST = """
archive harbour treaty council province letter island river valley bridge railway garden summit
leaders talks trade military channel envoy ministry statement dialogue tension cooperation region
policy border security economy tariff market export diplomat agreement morning evening winter
summer autumn spring village city capital mountain forest desert coast lighthouse station market
factory school library museum theatre hospital court senate assembly committee office bureau
report survey census ledger record charter decree mandate budget pension salary wage contract
strike union guild farmer miner sailor soldier teacher doctor judge clerk mayor governor minister
president chancellor secretary ambassador consul delegate witness critic reader writer printer
editor reporter column page chapter volume edition draft proof margin footnote gloss comment
question answer promise warning rumour signal message cable telegram dispatch courier parcel
wagon carriage steamer ferry canal tunnel road highway avenue square fountain statue tower wall
gate quarter district parish county estate orchard vineyard meadow pasture harvest grain cotton
timber copper silver iron coal salt sugar coffee tobacco wool linen paper glass brick stone
quiet early late brief formal public private careful sudden steady narrow broad distant nearby
ancient modern northern southern eastern western official secret open closed rapid slow
agreed signed rejected delayed approved drafted printed carried crossed visited opened closed
reported denied confirmed announced recorded noted described measured counted
"""
WORDS = tuple(dict.fromkeys(_WORD_LIST.split()))  # in order, each once

REFRAINS = (
    "The committee said it would review the matter again next spring.",
    "Nobody at the ministry would confirm the figures on the record.",
    "The ferry still crosses the channel twice a day in summer.",
    "Officials described the talks as candid and constructive.",
    "The archive was closed to visitors for the rest of the year.",
    "A spokesman declined to comment on the draft agreement.",
    "The old railway bridge was painted green that autumn.",
    "Both delegations left the capital before the evening cable arrived.",
    "The harbour master kept a ledger of every ship that docked.",
    "Farmers in the valley waited for rain through the long summer.",
)

REFRAIN_SHARE = 12  # about one quote in this many is taken from a refrain
MAX_CONTEXT_WORDS = 12


@dataclass
class Block:
    """One block as a reader sees it (its words) and as Markdown."""

    words: list[str]
    markdown: str
    refrains: list[tuple[int, int]] = field(default_factory=list)  # word ranges that are refrains


@dataclass(frozen=True)
class Quote:
    """An annotation's selector: the quote, and context when the passage repeats."""

    quote: str
    prefix: str | None = None
    suffix: str | None = None


@dataclass
class Article:
    """A generated article: its blocks, and the reading text the engine matches quotes in."""

    blocks: list[Block]
    text: str = ""
    word_starts: list[int] = field(default_factory=list)  # global word index where each block starts

    def __post_init__(self) -> None:
        self.text = " ".join(" ".join(block.words) for block in self.blocks)
        total = 0
        for block in self.blocks:
            self.word_starts.append(total)
            total += len(block.words)

    @property
    def word_count(self) -> int:
        """Return the number of words a reader sees."""
        return self.word_starts[-1] + len(self.blocks[-1].words) if self.blocks else 0

    def markdown(self, title: str) -> str:
        """Return the article file: front matter, then the body."""
        front = f"---\ntitle: {title}\nbyline: Bench Desk\ndate: 2024-01-01\n---\n"
        return front + "\n\n".join(block.markdown for block in self.blocks) + "\n"

    def body(self) -> str:
        """Return the Markdown body alone, as a peer tool gets it."""
        return "\n\n".join(block.markdown for block in self.blocks) + "\n"


# --- the article -------------------------------------------------------------------------------


def _sentence_words(rng: random.Random, refrain: bool) -> list[str]:
    if refrain:
        return rng.choice(REFRAINS).split()
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    if rng.random() < 0.3:
        words[rng.randint(1, len(words) - 2)] += ","
    words[0] = words[0].capitalize()
    words[-1] += "."
    return words


def _markup(rng: random.Random, words: list[str], serial: int) -> list[str]:
    """Return the sentence's Markdown tokens: some words wrapped in emphasis, strong or a link."""
    tokens = list(words)
    if len(words) < 6 or rng.random() > 0.45:
        return tokens
    start = rng.randint(0, len(words) - 4)
    end = start + rng.randint(1, 3)
    last = words[end - 1].rstrip(".,")
    inner = [*words[start : end - 1], last]
    trail = words[end - 1][len(last) :]
    style = rng.choice(("*{}*", "**{}**", "[{}](https://example.org/ref/" + str(serial) + ")"))
    tokens[start:end] = [style.format(" ".join(inner)) + trail]
    return tokens


def _wrap(tokens: list[str], width: int = 78) -> str:
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and len(line) + 1 + len(token) > width:
            lines.append(line)
            line = token
        else:
            line = f"{line} {token}" if line else token
    return "\n".join([*lines, line])


def _paragraph(rng: random.Random, sentences: int, serial: int) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    words: list[str] = []
    tokens: list[str] = []
    refrains: list[tuple[int, int]] = []
    refrain_at = rng.randrange(sentences) if rng.random() < 0.45 else -1
    for i in range(sentences):
        sentence = _sentence_words(rng, i == refrain_at)
        if i == refrain_at:
            refrains.append((len(words), len(words) + len(sentence)))
            tokens += sentence  # refrains stay plain, so every occurrence reads alike
        else:
            tokens += _markup(rng, sentence, serial * 100 + i)
        words += sentence
    return words, tokens, refrains


def _blocks_for(rng: random.Random, serial: int) -> list[Block]:
    if serial % 14 == 0:
        words = [rng.choice(WORDS).capitalize()] + [rng.choice(WORDS) for _ in range(rng.randint(2, 5))]
        return [Block(words, "## " + " ".join(words))]
    if serial % 9 == 4:
        items = [_paragraph(rng, rng.randint(1, 2), serial * 10 + k) for k in range(rng.randint(3, 5))]
        return [Block(w, "- " + " ".join(t), r) for w, t, r in items]
    words, tokens, refrains = _paragraph(rng, rng.randint(3, 7), serial)
    if serial % 11 == 6:
        return [Block(words, "\n".join("> " + line for line in _wrap(tokens).split("\n")), refrains)]
    return [Block(words, _wrap(tokens), refrains)]


def make_article(seed: int, words: int) -> Article:
    """Generate an article of at least `words` visible words."""
    rng = random.Random(seed)
    blocks: list[Block] = []
    count = serial = 0
    while count < words:
        for block in _blocks_for(rng, serial):
            blocks.append(block)
            count += len(block.words)
        serial += 1
    return Article(blocks)


# --- the quotes --------------------------------------------------------------------------------


def occurrences(text: str, needle: str, limit: int = 2) -> int:
    """Count the places needle starts in text, overlapping ones too, stopping at limit."""
    count, at = 0, text.find(needle)
    while at >= 0 and count < limit:
        count += 1
        at = text.find(needle, at + 1)
    return count


def _with_context(article: Article, block: Block, start: int, end: int) -> Quote | None:
    """Return the passage's selector, adding the fewest words of prefix or suffix that make it unique."""
    quote = " ".join(block.words[start:end])
    if occurrences(article.text, quote) == 1:
        return Quote(quote)
    for extra in range(1, MAX_CONTEXT_WORDS + 1):
        if start - extra >= 0:
            prefix = " ".join(block.words[start - extra : start]) + " "
            if occurrences(article.text, prefix + quote) == 1:
                return Quote(quote, prefix=prefix)
        if end + extra <= len(block.words):
            suffix = " " + " ".join(block.words[end : end + extra])
            if occurrences(article.text, quote + suffix) == 1:
                return Quote(quote, suffix=suffix)
    return None


def _refrain_window(rng: random.Random, article: Article, position: int) -> tuple[Block, int, int] | None:
    index = bisect_right(article.word_starts, position) - 1
    for block in article.blocks[index : index + 40]:
        if block.refrains:
            first, last = rng.choice(block.refrains)
            start = rng.randint(first, max(first, last - 4))
            return block, start, min(last, start + rng.randint(3, 6))
    return None


def _plain_window(rng: random.Random, article: Article, position: int) -> tuple[Block, int, int]:
    index = bisect_right(article.word_starts, position) - 1
    block = article.blocks[index]
    start = min(position - article.word_starts[index], max(0, len(block.words) - 2))
    return block, start, min(len(block.words), start + rng.randint(3, 6))


def _quote_at(rng: random.Random, article: Article, position: int, from_refrain: bool) -> Quote:
    window = _refrain_window(rng, article, position) if from_refrain else None
    for shift in range(50):
        block, start, end = window or _plain_window(rng, article, min(position + shift, article.word_count - 1))
        found = _with_context(article, block, start, end)
        if found is not None:
            return found
        window = None
    raise ValueError(f"no unique passage near word {position}")


def make_quotes(article: Article, count: int, seed: int) -> list[Quote]:
    """Choose `count` quotes spread evenly through the article; about 1 in 12 from a refrain."""
    rng = random.Random(seed)
    step = article.word_count / max(count, 1)
    return [_quote_at(rng, article, int((i + 0.5) * step), rng.randrange(REFRAIN_SHARE) == 0)
            for i in range(count)]


def spread(items: list[Quote], count: int) -> list[Quote]:
    """Take `count` items spread evenly over the list, keeping its order."""
    if count >= len(items) or count <= 0:
        return list(items) if count > 0 else []
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


# --- the sidecar -------------------------------------------------------------------------------


def _note(rng: random.Random, index: int, quote: str) -> str:
    kind = index % 4
    if kind == 0:
        return f"A context note on *{quote}*, with [a source](https://example.org/notes/{index})."
    if kind == 1:
        return f"Note {index}: the passage is discussed in the {rng.choice(WORDS)} {rng.choice(WORDS)} report."
    if kind == 2:
        return f"Two points:\n\n- the first, on **{rng.choice(WORDS)}**\n- the second, on `{rng.choice(WORDS)}`"
    return f"Background for note {index}.\n\nA second paragraph of {rng.choice(WORDS)} and {rng.choice(WORDS)}."


def annotation_lines(quote: Quote, index: int, rng: random.Random) -> list[str]:
    """Return one sidecar item, one key per line (so a one-line edit changes one value)."""
    lines = [f"  - quote: {json.dumps(quote.quote, ensure_ascii=False)}"]
    if index % 10 == 7:
        lines += ["    kind: correction",
                  f"    original: {json.dumps(quote.quote.lower() + ' ' + rng.choice(WORDS), ensure_ascii=False)}",
                  f"    note: {json.dumps(f'Corrected in edit {index}.')}"]
    else:
        lines.append(f"    note: {json.dumps(_note(rng, index, quote.quote), ensure_ascii=False)}")
    if quote.prefix is not None:
        lines.append(f"    prefix: {json.dumps(quote.prefix, ensure_ascii=False)}")
    if quote.suffix is not None:
        lines.append(f"    suffix: {json.dumps(quote.suffix, ensure_ascii=False)}")
    return lines


def sidecar(quotes: list[Quote], seed: int) -> str:
    """Return the annotations file for these quotes ("annotations: []" when there are none)."""
    if not quotes:
        return "annotations: []\n"
    rng = random.Random(seed)
    lines = ["annotations:"]
    for index, quote in enumerate(quotes):
        lines += annotation_lines(quote, index, rng)
    return "\n".join(lines) + "\n"
