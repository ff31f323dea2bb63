"""Layouts compiled by one build, kept for the next, as Python keeps compiled modules.

Compiling the layouts is most of a small site's own build time (about 18 ms for the sample's seven). Jinja can
keep compiled templates ("bytecode"); here the load stage reads them, the render stage uses and adds to them,
and the write stage saves them, in one file per layouts folder under the user's cache folder
(`$XDG_CACHE_HOME/glossator`, by default `~/.cache/glossator`). Deleting the folder costs one slower build.

A kept template is used only when its source is byte for byte the same (Jinja checks each one's checksum) and
was compiled by the same Python, the same Jinja and an environment with the same settings, filters and tests.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType

import jinja2
from jinja2.bccache import Bucket

_FORMAT = 1


def cache_file(layouts: Path) -> Path:
    """Return where the compiled layouts of this layouts folder are kept."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # as the XDG specification asks: a relative path is ignored
        base = str(Path.home() / ".cache")
    folder = hashlib.sha256(os.fsencode(layouts.resolve())).hexdigest()[:20]
    return Path(base) / "glossator" / f"layouts-{folder}.bin"


def environment_fingerprint(env: jinja2.Environment) -> str:
    """Describe everything besides a template's source that the code Jinja compiles from it depends on."""
    settings = (
        _FORMAT, sys.version_info[:2], jinja2.__version__, env.block_start_string, env.block_end_string,
        env.variable_start_string, env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
        env.newline_sequence, env.keep_trailing_newline, env.optimized, env.is_async, repr(env.autoescape),
        repr(env.finalize), sorted(env.extensions), sorted(env.filters), sorted(env.tests),
    )
    return repr(settings)


class CompiledLayouts(jinja2.BytecodeCache):
    """Jinja's bytecode cache over the bytes the load stage read; what is compiled anew waits for the write stage."""

    def __init__(self, stored: bytes | None, names: frozenset[str]) -> None:
        self._stored = stored
        self._names = names  # the layouts that exist: a deleted one's code is not kept
        self._fingerprint = ""
        self._compiled: dict[str, bytes] = {}
        self._paths: dict[str, str] = {}  # each layout's path, as this build names the layouts folder
        self._changed = False

    def attach(self, env: jinja2.Environment) -> None:
        """Serve this environment, with the kept code that was compiled under the same settings."""
        self._fingerprint = environment_fingerprint(env)
        self._compiled = _decode(self._stored, self._fingerprint)
        env.bytecode_cache = self

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        if filename is not None:
            self._paths[name] = filename
        return name  # one file per layouts folder already: the name tells its layouts apart

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._compiled.get(bucket.key)
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)  # resets the bucket when the source changed
        except Exception:  # a damaged entry is compiled again, whatever is wrong with it
            bucket.reset()
            return
        path = self._paths.get(bucket.key)
        if bucket.code is not None and path is not None:
            # As Python does for a module found moved: an error names the layout as this build names it (an
            # earlier build may have named the same folder another way, `layouts` or `/home/me/site/layouts`).
            bucket.code = _compiled_from(bucket.code, path)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()
        self._changed = True

    def to_keep(self) -> bytes | None:
        """Return what the write stage should save, or None when nothing was compiled anew."""
        if not self._changed:
            return None
        kept = {name: code for name, code in self._compiled.items() if name in self._names}
        return marshal.dumps((self._fingerprint, kept))


def _compiled_from(code: CodeType, path: str) -> CodeType:
    """Return the code as if compiled from the file at `path`, with every function in it."""
    consts = tuple(_compiled_from(const, path) if isinstance(const, CodeType) else const for const in code.co_consts)
    return code.replace(co_filename=path, co_consts=consts)


def _decode(stored: bytes | None, fingerprint: str) -> dict[str, bytes]:
    if not stored:
        return {}
    try:
        kept_fingerprint, compiled = marshal.loads(stored)
    except (EOFError, ValueError, TypeError):
        return {}  # damaged: everything is compiled again and saved whole
    if kept_fingerprint != fingerprint or not isinstance(compiled, dict):
        return {}
    return {name: code for name, code in compiled.items() if isinstance(name, str) and isinstance(code, bytes)}
