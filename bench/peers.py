"""The peers: pandoc and Hugo on the same Markdown, each as a whole process."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

from bench.timing import Job, engine_python

HUGO_CONFIG = """baseURL = "http://example.org/"
title = "Bench"
disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""
HUGO_LAYOUT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><article><h1>{{ .Title }}</h1>{{ .Content }}</article></body></html>
"""


def write_hugo_site(root: Path, name: str, body: str) -> Path:
    """Write a minimal Hugo site whose one page is this Markdown."""
    site = root / f"hugo-{name}"
    (site / "content").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    page = f"---\ntitle: {name}\ndate: 2024-01-01\n---\n{body}"
    (site / "content" / f"{name}.md").write_text(page, encoding="utf-8")
    return site


def peer_jobs(root: Path, name: str, body: str) -> list[Job]:
    """Return pandoc's and Hugo's jobs for this Markdown; a missing tool's job has no command."""
    source = root / f"{name}.md"
    source.write_text(body, encoding="utf-8")
    pandoc = ["pandoc", "-s", "-f", "commonmark", "-t", "html", "--metadata", f"title={name}",
              "-o", "{out}", str(source)] if shutil.which("pandoc") else None
    hugo = None
    if shutil.which("hugo"):
        site = write_hugo_site(root, name, body)
        hugo = ["hugo", "--quiet", "--noBuildLock", "--source", str(site), "--destination", "{out}",
                "--cacheDir", str(root / "hugo-cache")]
    return [Job(f"pandoc-{name}", pandoc), Job(f"hugo-{name}", hugo)]


def tool_version(command: list[str]) -> str:
    """Return the first line a tool prints about its version, or "missing"."""
    if shutil.which(command[0]) is None:
        return "missing"
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "error"


def versions() -> dict[str, str]:
    """Return the versions of everything timed."""
    python = subprocess.run([engine_python(), "--version"], capture_output=True, text=True, check=False)
    return {"python": python.stdout.strip(), "pandoc": tool_version(["pandoc", "--version"]),
            "hugo": tool_version(["hugo", "version"]), "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
