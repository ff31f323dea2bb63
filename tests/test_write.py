"""Writing: the new site replaces the old one whole, or not at all; concurrent builds never mix."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from glossator.write import MANIFEST, _exchange, write

from .conftest import LAYOUTS, Run, tree


def _site(version: int) -> dict[str, bytes]:
    """A site whose every file names its version, so a mix of two shows."""
    return {"index.html": b"v%d" % version, **{f"page{n}.html": b"v%d" % version for n in range(20)},
            "page0.source.txt": b"v%d" % version}


def test_write_replaces_the_old_site_exactly(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert write(_site(1), out) == []
    fewer = {name: data for name, data in _site(2).items() if name != "page7.html"}
    assert write(fewer, out) == []
    assert tree(out) == fewer
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]  # no staging left behind


def test_what_a_build_wrote_it_may_replace_in_subfolders_too_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "site"
    site = {"index.html": b"1", "book.epub": b"2", "annotations/a.jsonld": b"3", "a/b/c.txt": b"4"}
    assert write(site, out) == []
    assert json.loads((out / MANIFEST).read_text())["files"] == sorted(site)
    assert write({"index.html": b"new"}, out) == []  # the next build's outputs differ: the old ones go
    assert tree(out) == {"index.html": b"new"}
    assert write(site, out) == []
    (out / "annotations" / "mine.txt").write_text("my notes")
    (out / "stray").mkdir()
    problems = write(site, out)
    assert [p.message.split(":")[0] for p in problems] == [f"refusing to replace {out}"]
    assert "it holds 'annotations/mine.txt' and 1 more" in problems[0].message
    assert (out / "annotations" / "mine.txt").read_text() == "my notes"


def test_a_site_built_before_manifests_is_replaced_once_then_has_one(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    for name in ("index.html", "a.html", "a.source.txt", "offline.zip", "feed.xml", "sitemap.xml"):
        (out / name).write_text("old")
    assert write(_site(1), out) == []
    assert tree(out) == _site(1) and (out / MANIFEST).is_file()


def test_a_failed_write_reports_a_problem_and_keeps_the_old_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write(_site(1), out)
    problems = write({"index.html": b"new", "index.html/inside": b"a file cannot be a folder"}, out)
    assert len(problems) == 1 and "cannot write the site" in problems[0].message
    assert tree(out) == _site(1)
    assert write({"../escape.html": b"x"}, out)[0].message.startswith("refusing to write '../escape.html'")
    assert not (tmp_path / "escape.html").exists()


def test_an_unwritable_place_is_an_error_not_a_traceback(tmp_path: Path, content: Callable[..., Path],
                                                         glossator: Callable[..., Run]) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = glossator("build", "--content", content(), "--layouts", LAYOUTS, "--out", tmp_path / "file" / "site")
    assert result.code == 1
    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"{tmp_path}/file/site:1:1: error: cannot write the site: ")


def test_builds_started_at_once_leave_one_whole_site_and_readers_never_see_a_mix(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write(_site(0), out)
    seen: list[tuple[dict[str, bytes], bool]] = []
    missing: list[int] = []
    done = threading.Event()

    def read_while_writing() -> None:
        while not done.is_set():
            snapshot = _snapshot(out)
            if snapshot is None:
                missing.append(1)
            else:
                seen.append(snapshot)

    reader = threading.Thread(target=read_while_writing)
    reader.start()
    writers = [threading.Thread(target=lambda v=version: [write(_site(v), out) for _ in range(5)])
               for version in range(1, 7)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    done.set()
    reader.join()
    assert tree(out) in [_site(v) for v in range(1, 7)]
    assert seen
    for files, current in seen:
        assert len(set(files.values())) <= 1, "a mix of two builds"
        if current:  # a folder swapped out may be half deleted as we read it; the one in place is whole
            assert files in [_site(v) for v in range(7)]
    if _exchange(tmp_path / "site", tmp_path / "site"):  # renameat2 is here: the site is never missing
        assert missing == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def _snapshot(out: Path) -> tuple[dict[str, bytes], bool] | None:
    """Read a whole site through one open folder; say whether that folder was still the site after."""
    try:
        folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    try:
        try:
            files = _read_under(folder, "")
            files.pop(MANIFEST, None)
        except FileNotFoundError:  # the folder was swapped out and is being deleted
            return {}, False
        try:
            current = os.stat(out).st_ino == os.fstat(folder).st_ino
        except FileNotFoundError:
            current = False
        return files, current
    finally:
        os.close(folder)


def _read_under(folder: int, prefix: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in os.listdir(folder):
        child = os.open(name, os.O_RDONLY, dir_fd=folder)
        try:
            if stat.S_ISDIR(os.fstat(child).st_mode):
                files |= _read_under(child, f"{prefix}{name}/")
            else:
                files[prefix + name] = os.read(child, 1 << 16)
        finally:
            os.close(child)
    return files


def test_a_build_never_replaces_the_folders_it_is_built_from(tmp_path: Path, content: Callable[..., Path],
                                                             glossator: Callable[..., Run]) -> None:
    folder = content()
    before = tree(folder)
    for out, relation in ((folder, "is"), (folder / "site", "is inside"), (folder.parent, "holds")):
        result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", out)
        assert result.code == 1
        assert result.errors == [f"{out}:1:1: error: refusing to build into {out}: it {relation} '{folder}', which the"
                                 " site is built from; choose another --out"]
    assert tree(folder) == before


def test_a_build_never_deletes_a_file_it_did_not_write(tmp_path: Path, content: Callable[..., Path],
                                                       glossator: Callable[..., Run]) -> None:
    out = tmp_path / "documents"
    (out / "drafts").mkdir(parents=True)
    (out / "thesis.docx").write_bytes(b"years of work")
    (out / "drafts" / "essay.html").write_text("more work")
    result = glossator("build", "--content", content(), "--layouts", LAYOUTS, "--out", out)
    assert result.code == 1
    assert result.errors == [f"{out}:1:1: error: refusing to replace {out}: it holds 'drafts' and 1 more, which a"
                             " build does not write, and a build replaces the whole folder; move it elsewhere, or"
                             " choose another --out"]
    assert tree(out) == {"drafts/essay.html": b"more work", "thesis.docx": b"years of work"}
    # Files with a site's endings are not a site's either: notes, an archive, an empty folder.
    for name in ("todo.txt", "backup.zip", "2023"):
        folder = tmp_path / name.replace(".", "-")
        folder.mkdir()
        if name == "2023":
            (folder / name).mkdir()
        else:
            (folder / name).write_text("mine")
        result = glossator("build", "--content", content(), "--layouts", LAYOUTS, "--out", folder)
        assert result.code == 1 and f"it holds '{name}'" in result.errors[0]


def test_an_old_site_and_a_file_managers_litter_are_replaced(tmp_path: Path, content: Callable[..., Path],
                                                              glossator: Callable[..., Run]) -> None:
    out = tmp_path / "site"
    folder = content()
    (folder / "gone.md").write_text("---\ntitle: Gone\n---\nSoon deleted.\n")
    assert glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", out).code == 0
    (folder / "gone.md").unlink()
    (out / ".DS_Store").write_bytes(b"\0")
    assert glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", out).code == 0
    assert not (out / "gone.html").exists() and not (out / ".DS_Store").exists()
    (out / "mine.html").write_text("a page of my own, with a page's name")
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", out)
    assert result.code == 1 and "it holds 'mine.html', which a build does not write" in result.errors[0]
    (out / "mine.html").unlink()
    (out / "CNAME").write_text("example.org")
    result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", out)
    assert result.code == 1 and "it holds 'CNAME', which a build does not write" in result.errors[0]
    assert (out / "CNAME").read_text() == "example.org"
