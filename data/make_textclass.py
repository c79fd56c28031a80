"""Build ``textclass.csv``: short descriptions from Python's standard library, labelled by topic.

Every document is the opening of one docstring of a public function, class, method or
property of a standard-library module, and its label is the family the module belongs to
(text, math, files, network, concurrency, formats; see ``FAMILIES``). The docstrings ship
with every CPython, under the PSF licence (see ``data/README.md``).

Run it from the repository root with the Python whose documentation you want::

    python data/make_textclass.py            # writes data/textclass.csv
    python data/make_textclass.py --check    # rebuilds in memory, compares with the file

The same CPython version on the same platform gives the same file, byte for byte: modules,
their members and the rows are all visited in sorted order, and nothing is random. Another
Python version documents its modules a little differently, so it gives a slightly different
file; the shipped file was made with CPython 3.11.7 on Linux (the header line says which).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import inspect
import io
import platform
import re
import sys
import warnings
from pathlib import Path

OUT = Path(__file__).resolve().parent / "textclass.csv"

# Module families a person can tell apart from one sentence of documentation.
FAMILIES: dict[str, list[str]] = {
    "text": ["string", "re", "textwrap", "difflib", "unicodedata", "codecs", "stringprep",
             "html", "html.parser", "shlex", "fnmatch", "builtins.str", "builtins.bytes",
             "builtins.bytearray"],
    "math": ["math", "cmath", "decimal", "_pydecimal", "fractions", "statistics", "random",
             "numbers", "builtins.int", "builtins.float", "builtins.complex"],
    "files": ["os", "posix", "os.path", "posixpath", "shutil", "pathlib", "glob", "tempfile", "stat",
              "filecmp", "io", "_pyio", "zipfile", "tarfile", "gzip", "bz2", "lzma", "fileinput"],
    "network": ["socket", "ssl", "http.client", "http.server", "http.cookiejar", "http.cookies",
                "urllib.request", "urllib.parse", "urllib.error", "smtplib", "ftplib", "imaplib",
                "poplib", "xmlrpc.client", "xmlrpc.server", "socketserver", "ipaddress",
                "email.message", "email.utils", "mailbox"],
    "concurrency": ["threading", "multiprocessing", "multiprocessing.pool", "multiprocessing.managers",
                    "multiprocessing.connection", "multiprocessing.queues",
                    "multiprocessing.synchronize", "concurrent.futures", "concurrent.futures._base",
                    "concurrent.futures.thread", "concurrent.futures.process", "asyncio",
                    "queue", "subprocess", "sched", "selectors", "signal"],
    "formats": ["json", "json.decoder", "json.encoder", "csv", "pickle", "_pickle", "xml.dom.minidom",
                "xml.etree.ElementTree", "xml.sax", "xml.sax.handler", "xml.sax.saxutils",
                "configparser", "plistlib", "base64", "binascii", "struct", "marshal", "tomllib",
                "quopri"],
}

MIN_WORDS, MAX_WORDS = 3, 40
# A first line such as "log(x, [base=math.e])" or "S.split(sep=None) -> list" is a signature.
_SIGNATURE = re.compile(r"^[\w.]+\(.*\)(\s*->.*)?$")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]'\"`])\.\s+(?=[A-Z])")


def _members(modname: str):
    """Yield (qualified name, docstring) for the public members of a module or built-in type.

    Members are visited in sorted order, one level into classes; a module's members count
    only when defined in it (``__module__``), except for packages that re-export their parts
    (asyncio, concurrent.futures).
    """
    if modname.startswith("builtins."):
        owner = getattr(importlib.import_module("builtins"), modname.split(".", 1)[1])
        top, reexports = owner, True
    else:
        top = importlib.import_module(modname)
        reexports = modname in ("asyncio", "concurrent.futures")
    seen: set[int] = set()

    def visit(obj, qual: str, depth: int):
        if depth > 0:
            doc = inspect.getdoc(obj)
            if doc:
                yield qual, doc
        if depth >= 2 or not (inspect.ismodule(obj) or inspect.isclass(obj)):
            return
        for name, value in sorted(vars(obj).items()):
            if name.startswith("_"):
                continue
            if inspect.ismodule(obj) and not reexports and getattr(value, "__module__", None) != modname:
                continue
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if isinstance(value, property):
                value = value.fget or value
            if not (inspect.isclass(value) or inspect.isroutine(value) or inspect.isdatadescriptor(value)):
                continue
            if id(value) in seen:
                continue
            seen.add(id(value))
            yield from visit(value, f"{qual}.{name}", depth + 1)

    yield from visit(top, modname.replace("builtins.", ""), 0)


def opening(doc: str) -> str:
    """The opening of a docstring: its first paragraph without a signature line, at most two
    sentences, on one line."""
    lines = doc.strip().splitlines()
    while lines and _SIGNATURE.match(lines[0].strip()):
        lines = lines[1:]
    text = " ".join("\n".join(lines).strip().split("\n\n")[0].split())
    sentences = _SENTENCE_END.split(text)
    return ". ".join(sentences[:2]).rstrip("\\ ")


def build_rows() -> list[tuple[str, str, str]]:
    """(label, source, text) rows: one per distinct opening, sorted by label, then source.

    An opening that occurs under two families (say "Return self==value.") is ambiguous and is
    dropped; one that occurs twice in one family is kept once (its first source in sorted order).
    """
    found: list[tuple[str, str, str]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, modules in FAMILIES.items():
            for modname in modules:
                try:
                    members = list(_members(modname))
                except ImportError:        # a module this platform lacks
                    continue
                for source, doc in members:
                    text = opening(doc)
                    if MIN_WORDS <= len(text.split()) <= MAX_WORDS and text.isascii() and ">>>" not in text:
                        found.append((label, source, text))
    families: dict[str, set[str]] = {}
    for label, _, text in found:
        families.setdefault(text.lower(), set()).add(label)
    rows: dict[str, tuple[str, str, str]] = {}
    for label, source, text in sorted(found):
        key = text.lower()
        if len(families[key]) == 1 and key not in rows:
            rows[key] = (label, source, text)
    return sorted(rows.values())


def render(rows) -> str:
    out = io.StringIO()
    out.write(f"# {len(rows)} docstring openings from CPython {platform.python_version()} "
              f"({sys.platform}); built by data/make_textclass.py; PSF licence, see data/README.md\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["label", "source", "text"])
    writer.writerows(rows)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file, write nothing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = render(build_rows())
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out.name}: {'identical' if same else 'DIFFERENT'} to a fresh build")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
