"""Text data for the language-model notebook: the corpus loader and n-gram baselines.

The corpus is a plain UTF-8 file with one sentence per line (``data/corpus.txt``;
see ``data/README.md`` for its source and licence). ``load_corpus`` turns it into
a 1-D array of word ids plus the two dictionaries that translate between words
and ids. ``unigram_perplexity`` and ``bigram_perplexity`` give the numbers an RNN
language model has to beat.
"""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

import numpy as np

__all__ = [
    "EOS",
    "tokenize",
    "load_corpus",
    "corpus_path",
    "unigram_perplexity",
    "bigram_perplexity",
]

#: The token that marks the end of a line (a sentence) in the corpus.
EOS = "<eos>"

# A word is a run of letters and digits, possibly joined by an apostrophe or a
# hyphen ("don't", "built-in"). Any other visible character (".", ",", "(", ...)
# is a token of its own, so punctuation gets its own id and the model has to
# learn where sentences end.
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*|[^\sa-z0-9]")


def tokenize(text: str) -> list[str]:
    """Split text into lowercase tokens, with ``<eos>`` at the end of every non-empty line.

    text: str -> list of str tokens. Example: ``"A b.\\n"`` -> ``["a", "b", ".", "<eos>"]``.
    """
    tokens: list[str] = []
    for line in text.lower().splitlines():
        words = _TOKEN_RE.findall(line)
        if words:  # blank lines carry no sentence, so they get no <eos>
            tokens.extend(words)
            tokens.append(EOS)
    return tokens


def corpus_path() -> Path:
    """Return the path of the course's ``corpus.txt``, in a clone or in a pip install.

    In a clone of the repository the file is ``data/corpus.txt`` next to ``helpers/``;
    a pip install ships ``data/`` as the package ``helpers.datasets``.
    """
    in_clone = Path(__file__).resolve().parent.parent / "data" / "corpus.txt"
    if in_clone.is_file():
        return in_clone
    try:
        packaged = importlib.resources.files("helpers.datasets") / "corpus.txt"
    except ModuleNotFoundError:
        packaged = None
    if packaged is not None and packaged.is_file():
        # A regular (non-zip) install stores it as a real file, so a Path is safe.
        return Path(str(packaged))
    raise FileNotFoundError(
        f"The course corpus was not found: looked for {in_clone} and for "
        "corpus.txt in the package helpers.datasets. Reinstall the course package "
        "or pass the path of a text file to load_corpus(path=...)."
    )


def _read_text(path: Path) -> str:
    """Read a UTF-8 text file with error messages that say what is wrong with it."""
    if not path.exists():
        raise FileNotFoundError(f"Corpus file not found: {path}")
    if not path.is_file():
        raise FileNotFoundError(f"Corpus path is not a file: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"Corpus file {path} is not valid UTF-8 text (bad byte 0x{raw[err.start]:02x} "
            f"at offset {err.start}); it may be corrupt or binary."
        ) from None
    if "\x00" in text:
        raise ValueError(f"Corpus file {path} contains NUL bytes; it looks binary, not text.")
    return text


def load_corpus(path: str | Path | None = None, min_count: int = 1):
    """Load a text corpus as word ids.

    path: a UTF-8 text file, one sentence per line; ``None`` means the course's corpus.
    min_count: words seen fewer times than this become ``<unk>`` (1 keeps every word).
    Returns ``(corpus, word_to_id, id_to_word)``: corpus: (L,) int64 ids in reading order;
    word_to_id: dict str -> int; id_to_word: dict int -> str. Ids are given in order
    of first appearance, so the same file always gives the same ids.
    Raises FileNotFoundError for a missing file, ValueError for an empty, binary or
    non-UTF-8 file.
    """
    path = corpus_path() if path is None else Path(path)
    if int(min_count) < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    tokens = tokenize(_read_text(path))
    if not tokens:
        raise ValueError(f"Corpus file {path} is empty (it holds no words).")

    if min_count > 1:
        counts: dict[str, int] = {}
        for word in tokens:
            counts[word] = counts.get(word, 0) + 1
        tokens = [w if counts[w] >= min_count or w == EOS else "<unk>" for w in tokens]

    word_to_id: dict[str, int] = {}
    for word in tokens:
        if word not in word_to_id:
            word_to_id[word] = len(word_to_id)
    id_to_word = {i: w for w, i in word_to_id.items()}
    corpus = np.array([word_to_id[w] for w in tokens], dtype=np.int64)
    return corpus, word_to_id, id_to_word


def _check_ids(name: str, ids, vocab_size: int, min_len: int) -> np.ndarray:
    """Validate a 1-D array of word ids and return it as int64."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D integer array of word ids, got "
                         f"shape {ids.shape} and dtype {ids.dtype}")
    if ids.size < min_len:
        raise ValueError(f"{name} needs at least {min_len} ids, got {ids.size}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name} holds ids outside [0, {vocab_size}): "
                         f"min {ids.min()}, max {ids.max()}")
    return ids.astype(np.int64, copy=False)


def unigram_perplexity(train_ids, test_ids, vocab_size: int, alpha: float = 1.0) -> float:
    """Perplexity of an add-alpha smoothed unigram model (word frequencies, no context).

    train_ids: (L_train,) ints; test_ids: (L_test,) ints; vocab_size: V.
    p(w) = (count(w) + alpha) / (L_train + alpha * V). Like the bigram baseline and
    the RNN, it is scored on the predictions of ``test_ids[1:]``.
    Returns exp(mean negative log-likelihood), a float >= 1.
    """
    train_ids = _check_ids("train_ids", train_ids, vocab_size, 1)
    test_ids = _check_ids("test_ids", test_ids, vocab_size, 2)
    if alpha <= 0:
        raise ValueError(f"alpha must be positive (it keeps unseen words possible), got {alpha}")
    counts = np.bincount(train_ids, minlength=vocab_size).astype(np.float64)
    probs = (counts + alpha) / (counts.sum() + alpha * vocab_size)
    return float(np.exp(-np.mean(np.log(probs[test_ids[1:]]))))


def bigram_perplexity(train_ids, test_ids, vocab_size: int, alpha: float = 0.02) -> float:
    """Perplexity of an add-alpha smoothed bigram model p(next word | previous word).

    train_ids: (L_train,) ints; test_ids: (L_test,) ints; vocab_size: V.
    p(w | v) = (count(v, w) + alpha) / (count(v, .) + alpha * V), scored on every pair
    (test_ids[i-1], test_ids[i]). A small alpha works best on a small corpus (0.02 suits
    the course corpus): with alpha = 1 the V pretend counts of a row swamp its few real ones.
    Returns exp(mean negative log-likelihood), a float >= 1.
    """
    train_ids = _check_ids("train_ids", train_ids, vocab_size, 2)
    test_ids = _check_ids("test_ids", test_ids, vocab_size, 2)
    if alpha <= 0:
        raise ValueError(f"alpha must be positive (it keeps unseen pairs possible), got {alpha}")
    # A V x V table of counts would need V^2 numbers; a pair (v, w) is instead
    # coded as the single integer v * V + w and only the pairs seen are counted.
    train_codes = train_ids[:-1] * vocab_size + train_ids[1:]
    seen_codes, seen_counts = np.unique(train_codes, return_counts=True)
    test_codes = test_ids[:-1] * vocab_size + test_ids[1:]
    where = np.searchsorted(seen_codes, test_codes)
    where = np.minimum(where, seen_codes.size - 1)
    pair_counts = np.where(seen_codes[where] == test_codes, seen_counts[where], 0)
    prev_counts = np.bincount(train_ids[:-1], minlength=vocab_size)[test_ids[:-1]]
    probs = (pair_counts + alpha) / (prev_counts + alpha * vocab_size)
    return float(np.exp(-np.mean(np.log(probs))))
