"""The sample article: its audit passes as committed and bites on each kind of tampering."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from glossator import check

from .conftest import LAYOUTS, REPO

SLUG = "blinken-us-china-relationship"
ARTICLE, SIDECAR, RECEIVED = f"{SLUG}.md", f"{SLUG}.annotations.yaml", f"{SLUG}.source.txt"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's content folder, safe to tamper with."""
    return Path(shutil.copytree(REPO / "content", tmp_path / "content"))


def _errors(content: Path) -> list[str]:
    return [str(problem) for problem in check(content, LAYOUTS).problems]


def _annotations() -> list[dict[str, object]]:
    sidecar = yaml.safe_load((REPO / "content" / SIDECAR).read_text(encoding="utf-8"))
    return list(sidecar["annotations"])


def test_the_sample_builds_and_its_audit_passes(sample: Path) -> None:
    assert _errors(sample) == []


def test_the_received_text_is_kept_byte_for_byte_and_offered_beside_the_page() -> None:
    assert (REPO / "site" / RECEIVED).read_bytes() == (REPO / "content" / RECEIVED).read_bytes()
    assert f'href="{RECEIVED}"' in (REPO / "site" / f"{SLUG}.html").read_text(encoding="utf-8")


def test_every_correction_explains_itself_and_there_are_at_least_ten_context_notes() -> None:
    annotations = _annotations()
    corrections = [item for item in annotations if item.get("kind") == "correction"]
    notes = [item for item in annotations if item.get("kind", "note") == "note"]
    assert len(notes) >= 10
    for correction in corrections:
        assert all(word in str(correction["note"]) for word in ("What was wrong", "What was done", "How sure"))


def test_changing_one_word_outside_any_correction_fails_at_that_word(sample: Path) -> None:
    article = sample / ARTICLE
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("combating the opioid crisis", "combating the opium crisis"), encoding="utf-8")
    line = 1 + text[: text.index("opioid crisis")].count("\n")
    errors = _errors(sample)
    assert len(errors) == 1 and re.match(rf".*{ARTICLE}:{line}:\d+: error: .*opium", errors[0]), errors


def test_changing_a_corrections_original_fails(sample: Path) -> None:
    sidecar = sample / SIDECAR
    text = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(text.replace('"In June, Biden also called During', '"In June, Biden called During'),
                       encoding="utf-8")
    errors = _errors(sample)
    assert errors and all(": error: " in error for error in errors)
    assert any("also" in error for error in errors), errors


def test_deleting_a_correction_fails(sample: Path) -> None:
    sidecar = sample / SIDECAR
    text = sidecar.read_text(encoding="utf-8")
    start = text.index("  - id: fix-orphans")
    end = text.index("  - id: fix-information-direction")
    sidecar.write_text(text[:start] + text[end:], encoding="utf-8")
    errors = _errors(sample)
    assert errors and any("individual businesses" in error for error in errors), errors
