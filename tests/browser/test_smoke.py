"""The browser-test infrastructure works on this machine: Chromium offline, screenshots, axe, vnu, PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.harness import (
    PAPER_POINTS,
    PageFactory,
    Paper,
    axe_violations,
    chromium_executable,
    format_axe,
    is_local,
    print_pdf,
    screenshot,
    vnu_errors,
)

STYLE = "body { color: rgb(20, 20, 20); } @media (prefers-color-scheme: dark) { body { color: rgb(230, 230, 230); } }"

PAGE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Smoke test</title><link rel="stylesheet" href="style.css"></head>
<body>
<main>
<h1>An annotated article</h1>
<p>The quick brown fox jumps over the lazy dog. Naïve café, “curly quotes”.</p>
<aside><p>A note in the margin.</p></aside>
{extra}
</main>
</body>
</html>
"""

OUTSIDE = """\
<img src="https://example.org/pixel.png" alt="">
<link rel="stylesheet" href="http://192.0.2.1/remote.css">
<script>fetch("https://example.com/api").catch(() => {}); new WebSocket("wss://example.net/feed");</script>
"""


def write_page(folder: Path, name: str, extra: str = "") -> Path:
    (folder / "style.css").write_text(STYLE, encoding="utf-8")
    path = folder / name
    path.write_text(PAGE.replace("{extra}", extra), encoding="utf-8")
    return path


def test_loads_a_file_with_its_stylesheet_and_takes_a_screenshot(page_at: PageFactory, tmp_path: Path) -> None:
    opened = page_at(800, 600)
    page = opened.goto(write_page(tmp_path, "index.html"))
    assert page.title() == "Smoke test"
    assert page.eval_on_selector("body", "b => getComputedStyle(b).color") == "rgb(20, 20, 20)"
    shot = screenshot(page, "smoke-800x600")
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert opened.blocked == []
    assert opened.errors == []


def test_color_scheme_reaches_the_page(page_at: PageFactory, tmp_path: Path) -> None:
    page = page_at(400, 300, javascript=False, color_scheme="dark").goto(write_page(tmp_path, "index.html"))
    assert page.eval_on_selector("body", "b => getComputedStyle(b).color") == "rgb(230, 230, 230)"


def test_requests_to_other_origins_are_aborted_and_recorded(page_at: PageFactory, tmp_path: Path) -> None:
    path = write_page(tmp_path, "outside.html", OUTSIDE)
    opened = page_at(800, 600)
    opened.goto(path)
    for _ in range(100):  # the script's fetch and WebSocket are routed after the load event
        if len(opened.blocked) >= 4:
            break
        opened.page.wait_for_timeout(20)
    assert sorted(opened.blocked) == [
        "http://192.0.2.1/remote.css",
        "https://example.com/api",
        "https://example.org/pixel.png",
        "wss://example.net/feed",
    ]
    without_js = page_at(800, 600, javascript=False)
    without_js.goto(path)
    assert sorted(without_js.blocked) == ["http://192.0.2.1/remote.css", "https://example.org/pixel.png"]


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("file:///tmp/a.html", True),
        ("http://127.0.0.1:8000/", True),
        ("http://localhost/x", True),
        ("http://[::1]:9/", True),
        ("data:text/plain,hi", True),
        ("https://example.org/", False),
        ("http://10.0.0.1/", False),
        ("http://localhost.example.org/", False),
    ],
)
def test_what_counts_as_local(url: str, local: bool) -> None:
    assert is_local(url) is local


@pytest.mark.parametrize("javascript", [True, False])
def test_axe_finds_nothing_on_a_clean_page_and_flags_a_missing_alt(
    page_at: PageFactory, tmp_path: Path, javascript: bool
) -> None:
    opened = page_at(1024, 768, javascript=javascript)
    opened.goto(write_page(tmp_path, "clean.html"))
    assert axe_violations(opened.page) == [], format_axe(axe_violations(opened.page))
    opened.goto(write_page(tmp_path, "no-alt.html", '<img src="style.css">'))
    assert [v["id"] for v in axe_violations(opened.page)] == ["image-alt"]


def test_axe_without_javascript_sees_the_page_its_scripts_never_touched(page_at: PageFactory, tmp_path: Path) -> None:
    script = '<script>document.querySelector("main").insertAdjacentHTML("beforeend", "<img src=style.css>")</script>'
    path = write_page(tmp_path, "scripted.html", script)
    with_js = page_at(1024, 768)
    with_js.goto(path)
    assert [v["id"] for v in axe_violations(with_js.page)] == ["image-alt"]
    without_js = page_at(1024, 768, javascript=False)
    without_js.goto(path)
    assert axe_violations(without_js.page) == []


def test_vnu_checks_many_files_in_one_run(tmp_path: Path) -> None:
    good = write_page(tmp_path, "good.html")
    bad = write_page(tmp_path, "bad page.html", "<p>open<div></p>")
    errors = vnu_errors([good, bad])
    assert errors, "vnu found nothing wrong in bad page.html"
    assert {e.path for e in errors} == {bad}
    assert any("“p”" in e.message for e in errors), "\n".join(map(str, errors))


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_prints_to_pdf_and_reads_the_text_back(page_at: PageFactory, tmp_path: Path, paper: Paper) -> None:
    page = page_at(1024, 768, javascript=False).goto(write_page(tmp_path, "index.html"))
    printed = print_pdf(page, paper, tmp_path / f"{paper}.pdf")
    assert printed.page_size == pytest.approx(PAPER_POINTS[paper], abs=1)
    assert len(printed.pages) == 1
    assert "The quick brown fox jumps over the lazy dog. Naïve café, “curly quotes”." in printed.text
    assert "A note in the margin." in printed.text


def test_a_missing_chromium_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(pytest.fail.Exception, match="not an executable"):
        chromium_executable()
