"""The source audit: the page may differ from the received text only where a correction says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Run, dedent

RECEIVED = dedent("""
    Talks resume at last

    The the leaders met on Wednesday near San Fransisco.
    up
    They agreed to restore military channels.

    Jane Reporter
""")

ARTICLE = dedent("""
    ---
    title: Talks resume at last
    byline: Jane Reporter
    source: talks.source.txt
    source_frame:
      before: [title]
      after: [byline]
    ---
    The leaders met on *Wednesday* near [San Francisco](https://example.org).

    They agreed to restore military channels.
""")

SIDECAR = dedent("""
    annotations:
      - quote: The leaders
        kind: correction
        original: The the leaders
        note: A doubled word.
      - quote: San Francisco.
        kind: correction
        original: San Fransisco. up
        note: A misspelling, and a stray fragment removed.
      - quote: military channels
        note: A context note changes nothing in the text.
""")


def _files(article: str = ARTICLE, sidecar: str = SIDECAR, received: str = RECEIVED) -> dict[str, str]:
    return {"talks.md": article, "talks.annotations.yaml": sidecar, "talks.source.txt": received}


def test_a_faithful_page_passes_and_publishes_the_received_text(content: Callable[..., Path],
                                                                 glossator: Callable[..., Run], tmp_path: Path) -> None:
    result = glossator("build", "--content", content(_files()), "--out", tmp_path / "site")
    assert result.code == 0, result.err
    assert (tmp_path / "site" / "talks.source.txt").read_text() == RECEIVED
    assert 'href="talks.source.txt"' in (tmp_path / "site" / "talks.html").read_text()


def test_changing_one_word_outside_any_correction_fails(content: Callable[..., Path],
                                                        glossator: Callable[..., Run]) -> None:
    folder = content(_files(article=ARTICLE.replace("restore military", "rebuild military")))
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert result.errors == [
        f"{folder}/talks.md:11:16: error: the page differs from the received text here and no correction "
        "declares it: page reads \"up They agreed to [rebuild] military channels. Jane Reporter\", "
        "received text reads \"up They agreed to [restore] military channels. Jane Reporter\"; if the change is "
        "meant, declare it: add a correction with quote \"to rebuild military\" and original \"to restore military\""]


@pytest.mark.parametrize(("frame", "side", "verb", "field"), [
    ("  before: [title]\n", "after", "closes", "byline"), ("  after: [byline]\n", "before", "opens", "title")])
def test_a_headline_or_byline_left_out_of_the_frame_is_told_how_to_frame_it(
        content: Callable[..., Path], glossator: Callable[..., Run], frame: str, side: str, verb: str,
        field: str) -> None:
    article = ARTICLE.replace("  before: [title]\n  after: [byline]\n", frame)
    result = glossator("check", "--content", content(_files(article=article)))
    assert result.code == 1
    [error] = result.errors
    assert error.endswith(f"; the received text {verb} with the {field}: list it in the front matter's source_frame,"
                          f" under {side}: [{field}]")


def test_a_headline_and_byline_left_out_of_the_frame_are_named_together(content: Callable[..., Path],
                                                                       glossator: Callable[..., Run]) -> None:
    article = ARTICLE.replace("  before: [title]\n", "")
    received = "Talks resume at last\n\nJane Reporter\n\n" + RECEIVED.split("\n", 1)[1]
    [error] = glossator("check", "--content", content(_files(article=article, received=received))).errors
    assert error.endswith("; the received text opens with the title and byline: list them in the front matter's"
                          " source_frame, under before: [title, byline]")


@pytest.mark.parametrize(("page", "received", "remedy"), [
    # The quote widens until it stands once on the page.
    ("They agreed to restore military channels.", "They agreed to restore all military channels.",
     '; if the change is meant, declare it: add a correction with quote "restore military" and original'
     ' "restore all military"'),
    ("Talk of the talks and of the town.", "Talk of the talks and of a the town.",
     '; if the change is meant, declare it: add a correction with quote "and of the town." and original'
     ' "and of a the town."'),
    # A change at the end of a paragraph takes its words from that paragraph alone.
    ("They agreed to restore military channels.\n\nA second paragraph.",
     "They agreed to restore military channels now.\n\nA second paragraph.",
     '; if the change is meant, declare it: add a correction with quote "military channels." and original'
     ' "military channels now."'),
])
def test_a_suggested_correction_stands_once_within_one_block(content: Callable[..., Path],
                                                             glossator: Callable[..., Run], page: str, received: str,
                                                             remedy: str) -> None:
    article = ARTICLE.replace("They agreed to restore military channels.", page)
    sent = RECEIVED.replace("They agreed to restore military channels.", received)
    sidecar = SIDECAR.replace("  - quote: military channels\n    note: A context note changes nothing in the text.\n", "")
    [error] = glossator("check", "--content", content(_files(article=article, sidecar=sidecar, received=sent))).errors
    assert error.split('received text reads "', 1)[1].split('"', 1)[1] == remedy


def test_no_correction_is_suggested_for_a_difference_in_a_front_matter_field(content: Callable[..., Path],
                                                                            glossator: Callable[..., Run]) -> None:
    [error] = glossator("check", "--content", content(_files(received=RECEIVED.replace("last", "lats")))).errors
    assert error.endswith('received text reads "Talks resume at [lats] The the leaders met"')


def test_changing_a_corrections_original_fails(content: Callable[..., Path], glossator: Callable[..., Run]) -> None:
    folder = content(_files(sidecar=SIDECAR.replace("original: The the leaders", "original: The the the leaders")))
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert result.errors[0].startswith(f"{folder}/talks.annotations.yaml:2:5: ")
    assert "page reads \"resume at last The [the] the leaders met on\"" in result.errors[0]
    assert "received text reads \"resume at last The [] the leaders met on\"" in result.errors[0]


def test_deleting_a_correction_fails_at_the_article_line(content: Callable[..., Path],
                                                         glossator: Callable[..., Run]) -> None:
    sidecar = SIDECAR.split("  - quote: San Francisco.")[0] + "  - quote: military channels\n    note: n\n"
    folder = content(_files(sidecar=sidecar))
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert result.errors[0].startswith(f"{folder}/talks.md:9:")
    assert "near San [Francisco.] They" in result.errors[0] and "near San [Fransisco. up] They" in result.errors[0]


@pytest.mark.parametrize("frame", ["before: []", "before: [title, title]"])
def test_the_frame_must_account_for_the_headline_exactly(frame: str, content: Callable[..., Path],
                                                         glossator: Callable[..., Run]) -> None:
    folder = content(_files(article=ARTICLE.replace("before: [title]", frame)))
    assert glossator("check", "--content", folder).code == 1


def test_overlapping_corrections_are_refused(content: Callable[..., Path], glossator: Callable[..., Run]) -> None:
    extra = "  - quote: leaders met\n    kind: correction\n    original: leaders meet\n    note: n\n"
    folder = content(_files(sidecar=SIDECAR + extra))
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert "overlaps another" in result.err


def test_a_sidecar_that_cannot_be_read_is_its_only_error(content: Callable[..., Path],
                                                          glossator: Callable[..., Run]) -> None:
    folder = content(_files(sidecar=SIDECAR.replace("annotations:", "annotations: [", 1)))
    result = glossator("check", "--content", folder)
    assert result.code == 1
    assert len(result.errors) == 1 and "talks.annotations.yaml:" in result.errors[0], result.errors
