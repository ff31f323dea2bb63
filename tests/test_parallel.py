"""A cold build in worker processes writes the same bytes, and says the same problems, as one process."""

import sys
from pathlib import Path

import pytest

from bench.site_corpus import SiteSize, write_site
from glossator import pipeline, stages
from glossator.model import ArticleWork, Look, SiteFile, Staged
from glossator.parallel import PROCESSES, processes
from glossator.write import Staging, with_manifest


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _build(content: Path, out: Path, count: str, monkeypatch: pytest.MonkeyPatch) -> pipeline.Result:
    monkeypatch.setenv(PROCESSES, count)
    with pipeline.collector_paused():
        return pipeline.build(content, None, out, keep=False)  # every article made, none read back from the cache


def test_a_site_built_in_two_processes_is_byte_identical_to_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               ) -> None:
    content = write_site(tmp_path / "content", SiteSize(articles=20, words=400, annotations=8), seed=3).content
    monkeypatch.setenv(PROCESSES, "2")
    if processes(20) != 2:
        pytest.skip("worker processes are forked on Linux only")
    one = _build(content, tmp_path / "one", "1", monkeypatch)
    two = _build(content, tmp_path / "two", "2", monkeypatch)
    assert one.problems == two.problems == []
    assert (one.articles, one.annotations) == (two.articles, two.annotations) == (20, 160)
    files = _files(tmp_path / "one")
    assert len(files) > 40 and files == _files(tmp_path / "two")
    checked = pipeline.check(content)  # nothing written: every file in memory, the offline ZIP too
    assert with_manifest(checked.files) == files


def test_a_build_writes_each_articles_files_as_soon_as_it_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   ) -> None:
    content = write_site(tmp_path / "content", SiteSize(articles=10, words=200, annotations=3), seed=4).content
    staged: list[str] = []
    stage = Staging.stage

    def seen(self: Staging, file: SiteFile) -> SiteFile:
        staged.append(file.name)
        made = stage(self, file)
        # Written, and held no more: the page is on disk before the next article comes back.
        assert isinstance(made.data, Staged) and made.data.path.read_bytes() == file.data
        return made

    monkeypatch.setattr(Staging, "stage", seen)
    through = stages.through_files

    def made(content: Path, path: Path, look: Look) -> ArticleWork:
        staged.append(f"made {path.name}")
        return through(content, path, look)

    monkeypatch.setattr(stages, "through_files", made)
    result = _build(content, tmp_path / "site", "1", monkeypatch)  # one process: a worker's calls are not seen here
    assert result.problems == []
    assert len([name for name in staged if not name.startswith("made ")]) == 20
    # Each article's files are written before the next article is made.
    assert staged[:4] == ["made article-0001.md", "article-0001.html", "article-0001.annotations.jsonld",
                          "made article-0002.md"]


def test_problems_are_the_same_in_two_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = write_site(tmp_path / "content", SiteSize(articles=10, words=300, annotations=4), seed=5).content
    sidecar = content / "article-0007.annotations.yaml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8") + '  - quote: "words nowhere in the article"\n'
                       "    note: A note.\n", encoding="utf-8")
    (content / "stray.annotations.yaml").write_text("annotations: []\n", encoding="utf-8")
    one = _build(content, tmp_path / "one", "1", monkeypatch)
    two = _build(content, tmp_path / "two", "2", monkeypatch)
    assert [str(problem) for problem in one.problems] == [str(problem) for problem in two.problems]
    assert len(one.problems) == 2
    assert not (tmp_path / "two").exists()


def test_few_articles_stay_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROCESSES, "4")
    assert processes(7) == 1
    assert processes(8) == (4 if sys.platform.startswith("linux") else 1)  # forked workers on Linux only
    monkeypatch.setenv(PROCESSES, "1")
    assert processes(200) == 1
