#!/usr/bin/env bash
# Installs what the browser tests (tests/browser/) need, and only what is missing; prints nothing when all is there.
#   bash scripts/install-test-deps.sh [VENV]     VENV defaults to .venv at the repo root.
# Debian packages need root: as another user (a GitHub runner, say) it goes through sudo.
# - Debian: chromium (unless one is on PATH or $CHROMIUM is set), fonts-liberation, a Java runtime for vnu.jar,
#   epubcheck (tests/test_epub.py).
# - PyPI, into VENV: playwright (driver only: never `playwright install`), axe-playwright-python, pypdf.
# - npm: vnu-jar from scripts/package-lock.json into scripts/node_modules (its postinstall would fetch a JDK: skipped).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-$ROOT/.venv}"
PY_PINS=(playwright==1.65.2 axe-playwright-python==0.1.8 pypdf==7.1.1)

say() { echo "install-test-deps: $*" >&2; }
die() { say "$*"; exit 1; }

missing_debian_packages() {
    if [[ -z "${CHROMIUM:-}" ]] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
        echo chromium
    fi
    if ! dpkg-query -W -f='${Status}' fonts-liberation 2>/dev/null | grep -q 'ok installed'; then
        echo fonts-liberation
    fi
    if ! command -v java >/dev/null; then
        echo openjdk-17-jre-headless
    fi
    if ! command -v epubcheck >/dev/null; then
        echo epubcheck
    fi
}

install_debian() {
    local packages
    mapfile -t packages < <(missing_debian_packages)
    [[ ${#packages[@]} -eq 0 ]] && return
    say "apt-get install ${packages[*]}"
    local as_root=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || die "installing ${packages[*]} needs root, and there is no sudo"
        as_root=(sudo)
    fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
}

missing_python_pins() {
    "$VENV/bin/python" - "${PY_PINS[@]}" <<'EOF'
import sys
from importlib.metadata import PackageNotFoundError, version

for pin in sys.argv[1:]:
    name, _, wanted = pin.partition("==")
    try:
        found = version(name)
    except PackageNotFoundError:
        found = None
    if found != wanted:
        print(pin)
EOF
}

install_python() {
    [[ -x "$VENV/bin/python" ]] || die "no virtual environment at $VENV (make test creates .venv)"
    local pins
    mapfile -t pins < <(missing_python_pins)
    [[ ${#pins[@]} -eq 0 ]] && return
    say "pip install ${pins[*]}"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
}

vnu_is_current() {
    local dir="$ROOT/scripts"
    [[ -f "$dir/node_modules/vnu-jar/build/dist/vnu.jar" ]] || return 1
    node -e '
        const wanted = require(process.argv[1] + "/package-lock.json").packages["node_modules/vnu-jar"].version;
        const found = require(process.argv[1] + "/node_modules/vnu-jar/package.json").version;
        process.exit(wanted === found ? 0 : 1);
    ' "$dir"
}

install_vnu() {
    command -v npm >/dev/null || die "npm not found (Node.js 18+ is needed to install vnu-jar)"
    vnu_is_current && return
    say "npm ci vnu-jar into scripts/node_modules"
    (cd "$ROOT/scripts" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
}

install_debian
install_python
install_vnu
