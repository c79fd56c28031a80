"""Finding and reading submissions: every path given gets a row, whatever its name or content.

Nothing here runs a submission: it lists files, reads bytes and parses JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 100 * 1024 * 1024      # a notebook with many pictures is a few MB
MAX_CELL_CHARS = 1_000_000              # one code cell; longer cells are not run
MAX_SOURCE_CHARS = 5_000_000            # all code cells together
MAX_CELLS = 20_000                      # a course notebook has about a hundred

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]}


def shown(text: str) -> str:
    """``text`` safe to print and store: undecodable bytes and control characters shown escaped."""
    raw = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else bytes(text)
    try:
        return raw.decode("utf-8", "backslashreplace").translate(_CONTROL)
    except UnicodeError:
        return text.encode("ascii", "backslashreplace").decode("ascii")


def shown_path(path: str) -> str:
    """A submission's path as rows show it: ``shown``, with backslashes doubled first, so that two
    paths never show the same (a file named ``M\\xfcller.ipynb`` is not the one with byte 0xfc)."""
    return shown(path.replace("\\", "\\\\"))


_TEXT_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,
                                                *range(0x80, 0xA0)]}


def clean(text: str) -> str:
    """Multi-line text from a notebook made safe to store: lone surrogates and control characters
    (terminal escapes) shown escaped; newlines and tabs kept."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") \
        if any("\ud800" <= ch <= "\udfff" for ch in text) else text
    return text.translate(_TEXT_CONTROL)


@dataclass
class Submission:
    path: str              # as found (str from os.fsdecode: undecodable bytes kept as surrogates)
    name: str              # shown_path() of the path: what the CSV, JSON and feedback show
    refused: str = ""      # why it is not graded at all (a row still says so)


class UsageError(Exception):
    pass


def _inside(real: str, folders: list[str]) -> bool:
    return any(real == f or real.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def collect(items: list[str]) -> list[Submission]:
    """Files named, plus every ``*.ipynb`` under the folders named (checkpoints skipped).

    Every path gets its own row, even when two paths are the same file; a
    symbolic link found in a folder that points outside the folders given
    is refused (with a row), as is anything that is not a regular file.
    """
    found: list[Submission] = []
    folders = [os.path.realpath(i) for i in items if os.path.isdir(i)]
    for item in items:
        if os.path.isdir(item):
            matches = []
            for top, dirs, files in os.walk(item, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                for f in sorted(files):
                    if f.endswith(".ipynb"):
                        matches.append(os.path.join(top, f))
                for d in list(dirs):            # a folder named like a notebook is a submission too
                    if d.endswith(".ipynb"):
                        matches.append(os.path.join(top, d))
            if not matches:
                raise UsageError(f"no notebooks (*.ipynb) found in folder {shown(item)}")
            for path in matches:
                refused = ""
                if os.path.islink(path) and not _inside(os.path.realpath(path), folders):
                    refused = "a symbolic link to a file outside the folders given: not graded"
                found.append(Submission(path, shown_path(path), refused))
        elif os.path.lexists(item):
            found.append(Submission(item, shown_path(item)))
        else:
            raise UsageError(f"no such file or folder: {shown(item)}")
    seen, unique = set(), []
    for sub in found:
        if sub.path not in seen:
            seen.add(sub.path)
            unique.append(sub)
    return unique


class Unreadable(Exception):
    """The file is not a notebook the grader can read; the message says why."""


def read_bytes(path: str) -> bytes:
    """The file's bytes (at most MAX_FILE_BYTES + 1): a regular file only, never a FIFO or device."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise Unreadable("a folder, not a notebook file: submit the .ipynb file itself")
        if not stat.S_ISREG(mode):
            raise Unreadable("not a regular file")
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_notebook(data: bytes) -> dict:
    """Parse a submission's bytes into a notebook dict, or raise ``Unreadable``.

    Deliberately lenient about what Jupyter front ends add (extra metadata,
    source as a string or a list of lines) and strict about what would make
    grading meaningless.
    """
    if not data.strip():
        raise Unreadable("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"file too large (over {MAX_FILE_BYTES // 2**20} MB; a notebook is a few MB)")
    if b"\x00" in data[:8192]:
        raise Unreadable("binary file, not a notebook (a notebook is JSON text)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "a notebook is UTF-8 JSON") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.strip()
        if exc.pos >= len(stripped) - 1 or exc.msg.startswith("Unterminated string") or (
                stripped.startswith("{") and not stripped.endswith("}")):
            raise Unreadable(f"truncated JSON: the file ends before the notebook does "
                             f"(line {exc.lineno}); was it copied completely?") from None
        raise Unreadable(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise Unreadable("not a notebook: JSON nested too deeply") from None
    except ValueError:          # not a JSONDecodeError: Python's limit on the digits of an int
        raise Unreadable("not a notebook: a number too long in the JSON") from None
    if not isinstance(nb, dict):
        raise Unreadable(f"not a notebook: the JSON is a {type(nb).__name__}, not an object")
    major = nb.get("nbformat")
    if "worksheets" in nb or (isinstance(major, int) and not isinstance(major, bool) and major < 4):
        raise Unreadable(f"old notebook format (nbformat {major}); open it in a current Jupyter, "
                         "save it (nbformat 4) and submit it again")
    if major is None or "cells" not in nb:
        raise Unreadable("not a notebook: no `nbformat` or `cells` in the JSON")
    if not isinstance(major, int) or isinstance(major, bool) or major > 4:
        raise Unreadable(f"unsupported notebook format (nbformat {major!r}); expected 4")
    if not isinstance(nb["cells"], list):
        raise Unreadable("not a notebook: `cells` is not a list")
    if len(nb["cells"]) > MAX_CELLS:     # each cell costs the grader time and a report, outside every limit
        raise Unreadable(f"too many cells ({len(nb['cells']):,}; a notebook may have at most {MAX_CELLS:,})")
    for i, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise Unreadable(f"malformed notebook: cell {i} has no cell_type")
        source = cell.get("source", "")
        if not isinstance(source, str) and not (isinstance(source, list)
                                                and all(isinstance(s, str) for s in source)):
            raise Unreadable(f"malformed notebook: the source of cell {i} is not text")
    if not isinstance(nb.get("metadata", {}), dict):
        raise Unreadable("malformed notebook: `metadata` is not an object")
    return nb


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


@dataclass
class Cell:
    index: int            # 1-based position among all the notebook's cells
    source: str           # what runs ("" when the cell is too large to run)
    first_line: str       # shown in reports
    too_large: bool = False


def code_cells(nb: dict) -> list[Cell]:
    """The code cells to run, in order. Linear in the notebook's size; sizes capped."""
    cells, total = [], 0
    for index, cell in enumerate(nb["cells"], start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        if not source.strip():
            continue
        first = ""
        for line in source[:4000].splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                first = shown(line[:60]) + ("..." if len(line) > 60 else "")
                break
        total += len(source)
        too_large = len(source) > MAX_CELL_CHARS or total > MAX_SOURCE_CHARS
        cells.append(Cell(index, "" if too_large else source, first, too_large))
    return cells
