"""The committed site/ is exactly what the repository's content builds."""

from __future__ import annotations

from glossator import check

from .conftest import REPO, tree


def test_committed_site_equals_a_fresh_build() -> None:
    result = check(REPO / "content", REPO / "layouts", config=REPO / "glossator.yaml")
    assert result.problems == []
    committed = tree(REPO / "site")
    assert sorted(committed) == sorted(result.files), "site/ is stale: run `make site` and commit it"
    stale = [name for name, data in result.files.items() if committed[name] != data]
    assert stale == [], "site/ is stale: run `make site` and commit it"
