"""Bad content: exit 1, the exact FILE:LINE: of the first error, and the previous site byte for byte.

Each folder in tests/invalid/ is a content folder plus `expected.txt`, one line:
`FILE:LINE: words the first error must contain` (after zola's invalid-site tests).
Cases that need symbolic links or huge files are made in code, in GENERATED below.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from glossator.load.files import MAX_FILE_BYTES

from .conftest import LAYOUTS, Run, tree

INVALID = Path(__file__).parent / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())
ARTICLE = "---\ntitle: A small article\n---\nThe quick brown fox jumps over the lazy dog.\n"
SIDECAR = "annotations:\n  - quote: brown fox\n    note: A note.\n"


def _over_the_limit(name: str, head: str) -> Callable[[Path], None]:
    def make(content: Path) -> None:
        with (content / name).open("w") as handle:
            handle.write(head)
            handle.write("word " * ((MAX_FILE_BYTES - len(head)) // 5 + 1))
        if name != "a.md":
            (content / "a.md").write_text(ARTICLE)

    return make


def _linked(name: str, target: str, files: dict[str, str]) -> Callable[[Path], None]:
    def make(content: Path) -> None:
        for file, text in files.items():
            (content / file).write_text(text)
        (content / name).symlink_to(target)

    return make


SOURCE_A_TXT = ARTICLE.replace("---\nT", "source: a.txt\n---\nT")
PICTURE = ARTICLE + "\n![The plan](plan.png)\n"


def _picture_over_the_limit(content: Path) -> None:
    (content / "a.md").write_text(PICTURE)
    with (content / "plan.png").open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n")
        handle.write(bytes(MAX_FILE_BYTES))

# case: (make the content folder, "FILE:LINE: words")
GENERATED: dict[str, tuple[Callable[[Path], None], str]] = {
    "article-over-10-mib": (_over_the_limit("a.md", ARTICLE), "a.md:1: over the size limit of 10,485,760 bytes (10 MiB)"),
    "sidecar-over-10-mib": (_over_the_limit("a.annotations.yaml", "annotations: []\n#"),
                            "a.annotations.yaml:1: over the size limit of 10,485,760 bytes"),
    "article-linked-outside": (_linked("a.md", "../outside.md", {}), "a.md:1: leads outside the content folder"),
    "sidecar-linked-outside": (_linked("a.annotations.yaml", "../outside.yaml", {"a.md": ARTICLE}),
                               "a.annotations.yaml:1: leads outside the content folder"),
    "source-linked-outside": (_linked("a.txt", "../outside.txt", {"a.md": SOURCE_A_TXT}),
                              "a.md:3: leads outside the content folder"),
    "source-through-a-linked-folder": (_linked("texts", "..", {"a.md": SOURCE_A_TXT.replace("a.txt", "texts/outside.txt")}),
                                       "a.md:3: leads outside the content folder"),
    "sidecar-link-to-nothing": (_linked("a.annotations.yaml", "missing.yaml", {"a.md": ARTICLE}),
                                "a.annotations.yaml:1: a symbolic link to 'missing.yaml', which does not exist"),
    "sidecar-link-loop": (_linked("a.annotations.yaml", "a.annotations.yaml", {"a.md": ARTICLE}),
                          "a.annotations.yaml:1: a symbolic link that loops"),
    "source-is-a-folder": (_linked("texts", ".", {"a.md": SOURCE_A_TXT.replace("a.txt", "texts")}),
                           "a.md:3: is a folder"),
    "picture-linked-outside": (_linked("plan.png", "../outside.png", {"a.md": PICTURE}),
                               "a.md:6: 'plan.png' leads outside the content folder"),
    "picture-through-a-linked-folder": (_linked("pictures", "..", {"a.md": PICTURE.replace("(plan", "(pictures/plan")}),
                                        "a.md:6: 'pictures/plan.png' leads outside the content folder"),
    "picture-link-to-nothing": (_linked("plan.png", "missing.png", {"a.md": PICTURE}),
                                "a.md:6: picture file 'plan.png': a symbolic link to 'missing.png', which does not exist"),
    "picture-over-10-mib": (_picture_over_the_limit,
                            "a.md:6: picture file 'plan.png' is over the size limit of 10,485,760 bytes (10 MiB)"),
    "article-is-a-named-pipe": (lambda content: os.mkfifo(content / "a.md"), "a.md:1: not a regular file"),
    "names-differ-only-in-case": (lambda content: [(content / n).write_text(ARTICLE) for n in ("A.md", "a.md")],
                                  "a.md:1: differ only in case"),
}


def _previous_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("the previous site")
    (site / "assets" / "data.bin").write_bytes(bytes(range(256)))
    # Targets outside content/, for links and paths that lead there.
    for name in ("outside.md", "outside.yaml", "outside.txt", "outside.png", "plan.png"):
        (tmp_path / name).write_text(ARTICLE if name.endswith(".md") else SIDECAR)
    return site


def _check_rejected(result: Run, content: Path, expected: str, site: Path, before: dict[str, bytes]) -> None:
    where, words = expected.strip().split(": ", 1)
    assert result.code == 1, result.err
    assert result.errors, result.err
    assert result.errors[0].startswith(f"{content}/{where}:"), result.errors[0]
    assert words in result.errors[0], result.errors[0]
    assert tree(site) == before
    assert sorted(p.name for p in site.parent.iterdir() if p.name.startswith(".site.new")) == []


@pytest.mark.parametrize("case", CASES)
def test_invalid_content_folder(case: str, tmp_path: Path, glossator: Callable[..., Run]) -> None:
    content = tmp_path / "content"
    shutil.copytree(INVALID / case, content, ignore=shutil.ignore_patterns("expected.txt"))
    site = _previous_site(tmp_path)
    before = tree(site)
    result = glossator("build", "--content", content, "--layouts", LAYOUTS, "--out", site)
    _check_rejected(result, content, (INVALID / case / "expected.txt").read_text("utf-8"), site, before)


@pytest.mark.parametrize("case", GENERATED)
def test_invalid_generated_content(case: str, tmp_path: Path, glossator: Callable[..., Run]) -> None:
    make, expected = GENERATED[case]
    content = tmp_path / "content"
    content.mkdir()
    make(content)
    site = _previous_site(tmp_path)
    before = tree(site)
    result = glossator("build", "--content", content, "--layouts", LAYOUTS, "--out", site)
    _check_rejected(result, content, expected, site, before)


def test_every_case_folder_says_what_it_expects() -> None:
    for case in CASES:
        line = (INVALID / case / "expected.txt").read_text("utf-8")
        where, _, words = line.strip().partition(": ")
        assert where.count(":") == 1 and where.split(":")[1].isdigit() and words, case
        assert os.path.exists(INVALID / case / where.split(":")[0]), case
