"""The text-classification data of notebook 08: file, loader, tokeniser, split, build script."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from helpers.textclass import confusion_matrix, load_textclass, split_parts, tokenize
from nbrun import ROOT


def test_load_textclass_shapes_classes_and_size():
    texts, y, class_names, sources = load_textclass()
    assert len(texts) == len(y) == len(sources) >= 2000
    assert y.dtype == np.int64 and y.shape == (len(texts),)
    assert class_names == ["concurrency", "files", "formats", "math", "network", "text"]
    assert np.bincount(y).min() >= 150, "every class has enough documents"
    assert len(set(t.lower() for t in texts)) == len(texts), "documents are de-duplicated"
    assert max(len(t.split()) for t in texts) <= 40 and min(len(tokenize(t)) for t in texts) >= 1
    assert (ROOT / "data" / "textclass.csv").stat().st_size < 2_000_000


def test_load_textclass_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="make_textclass"):
        load_textclass(tmp_path / "nope.csv")


@pytest.mark.parametrize("content, message", [
    ("", "expected the header"),
    ("a,b,c\nmath,math.log,Return the log.\n", "expected the header"),
    ("label,source,text\nmath,math.log\n", "data row 1"),
    ("label,source,text\nmath,math.log,   \n", "data row 1"),
    ("label,source,text\n" + "math,m,Return x.\n" * 3, "truncated"),
])
def test_load_textclass_corrupt_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "textclass.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_textclass(path)


def test_load_textclass_binary_file(tmp_path):
    path = tmp_path / "textclass.csv"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ValueError, match="UTF-8"):
        load_textclass(path)


def test_tokenize_lowercases_and_drops_punctuation():
    assert tokenize("Return the base-10 log of X.") == ["return", "the", "base", "10", "log", "of", "x"]
    assert tokenize("...") == []


def test_split_parts_is_stratified_complete_and_fixed():
    y = np.repeat(np.arange(3), [50, 30, 20])
    train, dev, test = split_parts(y, (0.6, 0.2, 0.2), seed=0)
    assert np.array_equal(np.sort(np.concatenate([train, dev, test])), np.arange(len(y)))
    assert np.array_equal(np.bincount(y[dev]), [10, 6, 4]) and np.array_equal(np.bincount(y[test]), [10, 6, 4])
    again = split_parts(y, (0.6, 0.2, 0.2), seed=0)
    assert all(np.array_equal(a, b) for a, b in zip((train, dev, test), again))
    other = split_parts(y, (0.6, 0.2, 0.2), seed=1)
    assert not np.array_equal(dev, other[1])
    with pytest.raises(ValueError):
        split_parts(y, (0.5, 0.5))


def test_confusion_matrix_counts_repeated_pairs():
    M = confusion_matrix(np.array([0, 0, 1, 2, 2]), np.array([0, 0, 2, 2, 1]), 4)
    assert M.shape == (4, 4) and M[0, 0] == 2 and M[1, 2] == 1 and M[2, 1] == 1 and M.sum() == 5


@pytest.mark.skipif(sys.version_info[:2] != (3, 11) or sys.platform != "linux",
                    reason="the shipped file was built from CPython 3.11's docstrings on Linux")
def test_build_script_reproduces_the_shipped_file():
    first_line = (ROOT / "data" / "textclass.csv").read_text(encoding="utf-8").splitlines()[0]
    if f"CPython {'.'.join(map(str, sys.version_info[:3]))} " not in first_line:
        pytest.skip(f"the file was built with another Python: {first_line}")
    out = subprocess.run([sys.executable, str(ROOT / "data" / "make_textclass.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
