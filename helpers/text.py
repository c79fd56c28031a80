"""Text data for the language-model notebook: the corpus loader and n-gram baselines.

The corpus is a plain UTF-8 file with one sentence per line (``data/corpus.txt``;
see ``data/README.md`` for its source and licence). ``load_corpus`` turns it into
a 1-D array of word ids plus the two dictionaries that translate between words
and ids. ``load_corpus_parts`` does it the way a language model is evaluated: it cuts
the lines into training, dev and test parts, builds the vocabulary from the training
part only (rare and unseen words become ``<unk>``) and encodes all three parts with it.
``pair_counts`` is the counting behind the bigram baseline of notebook 07;
``unigram_perplexity`` and ``bigram_perplexity`` are simple add-alpha baselines.
"""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

import numpy as np

__all__ = [
    "EOS",
    "UNK",
    "tokenize",
    "build_vocab",
    "encode",
    "load_corpus",
    "load_corpus_parts",
    "pair_counts",
    "corpus_path",
    "unigram_perplexity",
    "bigram_perplexity",
]

#: The token that marks the end of a line (a sentence) in the corpus.
EOS = "<eos>"
#: The token that stands for every word outside the vocabulary.
UNK = "<unk>"

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


def build_vocab(tokens, min_count: int = 2):
    """The vocabulary of a list of tokens: the words seen at least ``min_count`` times.

    tokens: list of str (the training part only: the dev and test parts must not decide
    which words the model knows). ``<eos>`` and ``<unk>`` are always in it; every other
    word becomes ``<unk>`` when encoded, so the model learns a probability for "some rare
    word" from the training part's own rare words.
    Returns ``(word_to_id, id_to_word)``; ids are given in order of first appearance,
    with ``<unk>`` where the first rare word stands (or last, if no word is rare).
    """
    if int(min_count) < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    if not tokens:
        raise ValueError("build_vocab needs at least one token")
    counts: dict[str, int] = {}
    for word in tokens:
        counts[word] = counts.get(word, 0) + 1
    word_to_id: dict[str, int] = {}
    for word in tokens:
        kept = word if counts[word] >= min_count or word == EOS else UNK
        if kept not in word_to_id:
            word_to_id[kept] = len(word_to_id)
    for special in (EOS, UNK):
        word_to_id.setdefault(special, len(word_to_id))
    id_to_word = {i: w for w, i in word_to_id.items()}
    return word_to_id, id_to_word


def encode(tokens, word_to_id) -> np.ndarray:
    """Token list -> (L,) int64 ids; a word outside the vocabulary gets the id of ``<unk>``."""
    if UNK not in word_to_id:
        raise ValueError(f"the vocabulary has no {UNK!r} entry; build it with build_vocab")
    unk = word_to_id[UNK]
    return np.array([word_to_id.get(word, unk) for word in tokens], dtype=np.int64)


def load_corpus_parts(path: str | Path | None = None, fractions=(0.8, 0.1, 0.1),
                      min_count: int = 2):
    """Load a corpus as training, dev and test parts, with a vocabulary from training only.

    path: a UTF-8 text file, one sentence per line; ``None`` means the course's corpus.
    fractions: the shares of the lines that go to the training, dev and test parts, in
    reading order (whole sentences, no shuffling: the test text comes after the rest).
    min_count: a word needs this many occurrences in the training part to get its own id.
    Returns ``(train_ids, dev_ids, test_ids, word_to_id, id_to_word)``: three 1-D int64
    arrays of word ids and the two dictionaries of ``build_vocab``.
    """
    path = corpus_path() if path is None else Path(path)
    fractions = np.asarray(fractions, dtype=np.float64)
    if fractions.shape != (3,) or np.any(fractions <= 0) or not np.isclose(fractions.sum(), 1.0):
        raise ValueError(f"fractions must be three positive shares (train, dev, test) that add up "
                         f"to 1, got {tuple(fractions.tolist())}")
    lines = [line for line in _read_text(path).splitlines() if tokenize(line)]
    if not lines:
        raise ValueError(f"Corpus file {path} is empty (it holds no words).")
    cuts = np.round(np.cumsum(fractions)[:2] * len(lines)).astype(int)
    parts = [lines[:cuts[0]], lines[cuts[0]:cuts[1]], lines[cuts[1]:]]
    if any(len(part) == 0 for part in parts):
        raise ValueError(f"{path} has only {len(lines)} lines: too few for three parts "
                         f"of shares {tuple(fractions.tolist())}")
    tokens = [tokenize("\n".join(part)) for part in parts]
    word_to_id, id_to_word = build_vocab(tokens[0], min_count)
    train_ids, dev_ids, test_ids = (encode(t, word_to_id) for t in tokens)
    return train_ids, dev_ids, test_ids, word_to_id, id_to_word


def pair_counts(train_ids, prev_ids, next_ids) -> np.ndarray:
    """How often each pair (prev_ids[i], next_ids[i]) occurs as neighbours in train_ids.

    train_ids: (L,) ints; prev_ids, next_ids: (M,) ints of the same length.
    Returns (M,) int64 counts: count[i] = #{j : train_ids[j] = prev_ids[i] and
    train_ids[j + 1] = next_ids[i]}. A table of all V x V pairs would be mostly zeros,
    so only the pairs that occur are counted.
    """
    train_ids = np.asarray(train_ids)
    prev_ids, next_ids = np.asarray(prev_ids), np.asarray(next_ids)
    for name, ids in (("train_ids", train_ids), ("prev_ids", prev_ids), ("next_ids", next_ids)):
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"{name} must be a 1-D integer array of word ids, got "
                             f"shape {ids.shape} and dtype {ids.dtype}")
        if ids.size and ids.min() < 0:
            raise ValueError(f"{name} holds negative ids (min {ids.min()})")
    if prev_ids.shape != next_ids.shape:
        raise ValueError(f"prev_ids and next_ids must have the same length, got "
                         f"{prev_ids.shape} and {next_ids.shape}")
    if train_ids.size < 2 or prev_ids.size == 0:
        return np.zeros(prev_ids.shape, dtype=np.int64)
    # A pair (v, w) is coded as the single integer v * base + w.
    base = int(max(train_ids.max(), prev_ids.max(), next_ids.max())) + 1
    train_codes = train_ids[:-1].astype(np.int64) * base + train_ids[1:]
    seen_codes, seen_counts = np.unique(train_codes, return_counts=True)
    codes = prev_ids.astype(np.int64) * base + next_ids
    where = np.minimum(np.searchsorted(seen_codes, codes), seen_codes.size - 1)
    return np.where(seen_codes[where] == codes, seen_counts[where], 0).astype(np.int64)


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
