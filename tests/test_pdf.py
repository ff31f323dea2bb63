"""`glossator pdf`: its errors, and its talk with Chromium over the DevTools pipe, against a stand-in browser.

The real Chromium prints in tests/browser/test_print_pages.py."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import LAYOUTS, Run

# A stand-in for Chromium: reads DevTools commands on descriptor 3, answers on 4, and notes every command it got.
FAKE_BROWSER = '''\
import base64, json, os, sys
log = open(os.environ["FAKE_LOG"], "a")
log.write(json.dumps({"argv": sys.argv[1:]}) + "\\n")
if os.environ.get("FAKE_MODE") == "crash":
    sys.stderr.write("[0:0:ERROR] cannot open display\\n")
    sys.exit(1)
answers = {"Target.createTarget": {"targetId": "T"}, "Target.attachToTarget": {"sessionId": "S"},
           "Page.printToPDF": {"data": base64.b64encode(b"%PDF-1.7 stand-in").decode()}}
pending = b""
while True:
    chunk = os.read(3, 65536)
    if not chunk:
        break
    pending += chunk
    while b"\\0" in pending:
        raw, _, pending = pending.partition(b"\\0")
        message = json.loads(raw)
        log.write(json.dumps(message) + "\\n")
        log.flush()
        reply = {"id": message["id"], "result": answers.get(message["method"], {})}
        if message["method"] == "Page.navigate":  # an event before the answer: it must be kept for later
            answers["Runtime.evaluate"] = {"result": {"type": "string", "value": message["params"]["url"]}}
            os.write(4, json.dumps({"method": "Page.loadEventFired", "sessionId": "S", "params": {}}).encode() + b"\\0")
        os.write(4, json.dumps(reply).encode() + b"\\0")
        if message["method"] == "Browser.close":
            sys.exit(0)
'''


@pytest.fixture
def fake_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[dict[str, Any]]]:
    """Point CHROMIUM at the stand-in; the returned function reads what it was sent."""
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!{sys.executable}\n{FAKE_BROWSER}", encoding="utf-8")
    script.chmod(0o755)
    log = tmp_path / "fake.log"
    monkeypatch.setenv("CHROMIUM", str(script))
    monkeypatch.setenv("FAKE_LOG", str(log))

    def sent() -> list[dict[str, Any]]:
        return [json.loads(line) for line in log.read_text("utf-8").splitlines()] if log.exists() else []

    return sent


def test_without_a_browser_it_says_what_to_install(content: Callable[..., Path], glossator: Callable[..., Run],
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = glossator("pdf", "small", "--content", content(), "--layouts", LAYOUTS, "--out", tmp_path / "a.pdf")
    assert result.code == 1
    assert result.err.startswith("glossator: error: no Chromium to print with: none of chromium, chromium-browser, "
                                 "google-chrome is on PATH; install Chromium (Debian and Ubuntu: `apt install chromium`")
    assert "set CHROMIUM" in result.err
    assert not (tmp_path / "a.pdf").exists()


def test_a_chromium_setting_that_names_no_program_is_an_error(content: Callable[..., Path],
                                                             glossator: Callable[..., Run], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    result = glossator("pdf", "small", "--content", content(), "--layouts", LAYOUTS)
    assert result.code == 1
    assert f"glossator: error: CHROMIUM='{tmp_path / 'no-such-chromium'}' is not an executable file" in result.err


def test_it_prints_the_built_page_on_the_paper_asked_for(content: Callable[..., Path], glossator: Callable[..., Run],
                                                         tmp_path: Path, fake_browser: Callable[[], list[dict[str, Any]]]) -> None:
    result = glossator("pdf", "small", "--content", content(), "--layouts", LAYOUTS, "--out", tmp_path,
                       "--paper", "Letter")
    assert result.code == 0, result.err
    assert (tmp_path / "small.pdf").read_bytes() == b"%PDF-1.7 stand-in"
    assert result.err == f"glossator: printed small on US Letter paper into {tmp_path / 'small.pdf'}\n"
    sent = fake_browser()
    assert "--headless" in sent[0]["argv"] and "--remote-debugging-pipe" in sent[0]["argv"]
    by_method = {message["method"]: message.get("params") for message in sent[1:]}
    assert by_method["Page.printToPDF"] == {"paperWidth": 8.5, "paperHeight": 11.0, "printBackground": False,
                                            "displayHeaderFooter": False, "preferCSSPageSize": False,
                                            "generateDocumentOutline": True}
    page = Path(by_method["Page.navigate"]["url"].removeprefix("file://"))
    assert page.name == "small.html" and not page.exists(), "the page is printed from a folder removed after"


def test_a_browser_that_quits_is_reported_with_what_it_said(content: Callable[..., Path], glossator: Callable[..., Run],
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             fake_browser: Callable[[], list[dict[str, Any]]]) -> None:
    monkeypatch.setenv("FAKE_MODE", "crash")
    result = glossator("pdf", "small", "--content", content(), "--layouts", LAYOUTS, "--out", tmp_path / "a.pdf")
    assert result.code == 1
    assert result.err == ("glossator: error: Chromium quit before it printed the page "
                          "(Chromium said: [0:0:ERROR] cannot open display)\n")
    assert not (tmp_path / "a.pdf").exists()


def test_an_unknown_article_is_a_usage_error(content: Callable[..., Path], glossator: Callable[..., Run],
                                             fake_browser: Callable[[], list[dict[str, Any]]]) -> None:
    folder = content()
    result = glossator("pdf", "smal", "--content", folder, "--layouts", LAYOUTS)
    assert result.code == 2
    assert result.err == f"glossator: error: no article 'smal' in {folder}: the articles are small\n"
    assert fake_browser() == [], "nothing is printed"


def test_content_errors_stop_it_before_printing(content: Callable[..., Path], glossator: Callable[..., Run],
                                                fake_browser: Callable[[], list[dict[str, Any]]]) -> None:
    folder = content({"small.md": "---\nbyline: x\n---\nText.\n"})
    result = glossator("pdf", "small", "--content", folder, "--layouts", LAYOUTS)
    assert result.code == 1
    assert "small.md:2:1: error: the front matter is missing the required key 'title'" in result.err
    assert fake_browser() == []


def test_a_paper_size_it_does_not_know_is_a_usage_error(glossator: Callable[..., Run]) -> None:
    result = glossator("pdf", "small", "--paper", "a3")
    assert result.code == 2
    assert "argument --paper: invalid choice: 'a3' (choose from 'a4', 'letter')" in result.err
