"""Writing: the new site replaces the old one whole, or not at all; concurrent builds never mix."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from glossator.write import _exchange, write

from .conftest import LAYOUTS, Run


def _site(version: int) -> dict[str, bytes]:
    """A site whose every file names its version, so a mix of two shows."""
    return {"index.html": b"v%d" % version, **{f"page{n}.html": b"v%d" % version for n in range(20)},
            "page0.source.txt": b"v%d" % version}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_write_replaces_the_old_site_exactly(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert write(_site(1), out) == []
    (out / "stale.html").write_text("from an older build")
    assert write(_site(2), out) == []
    assert _tree(out) == _site(2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]  # no staging left behind


def test_a_failed_write_reports_a_problem_and_keeps_the_old_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write(_site(1), out)
    problems = write({"index.html": b"new", "index.html/inside": b"a file cannot be a folder"}, out)
    assert len(problems) == 1 and "cannot write the site" in problems[0].message
    assert _tree(out) == _site(1)
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
    assert _tree(out) in [_site(v) for v in range(1, 7)]
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
    before = _tree(folder)
    for out, relation in ((folder, "is"), (folder / "site", "is inside"), (folder.parent, "holds")):
        result = glossator("build", "--content", folder, "--layouts", LAYOUTS, "--out", out)
        assert result.code == 1
        assert result.errors == [f"{out}:1:1: error: refusing to build into {out}: it {relation} '{folder}', which the"
                                 " site is built from; choose another --out"]
    assert _tree(folder) == before


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
    assert _tree(out) == {"drafts/essay.html": b"more work", "thesis.docx": b"years of work"}
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
    assert glossator("build", "--content", content(), "--layouts", LAYOUTS, "--out", out).code == 0
    (out / ".DS_Store").write_bytes(b"\0")
    (out / "gone.html").write_text("an article since deleted")
    assert glossator("build", "--content", content(), "--layouts", LAYOUTS, "--out", out).code == 0
    assert not (out / "gone.html").exists() and not (out / ".DS_Store").exists()
    (out / "CNAME").write_text("example.org")
    result = glossator("build", "--content", content(), "--layouts", LAYOUTS, "--out", out)
    assert result.code == 1 and "it holds 'CNAME', which a build does not write" in result.errors[0]
    assert (out / "CNAME").read_text() == "example.org"
