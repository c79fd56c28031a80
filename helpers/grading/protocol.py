"""The call protocol between the grader and the sandboxed notebook: framing and a plain-data codec.

This module is loaded on both sides (the grader and the child in the sandbox)
and imports nothing but the standard library and NumPy. No pickle: a message
is one JSON header plus raw array buffers, so decoding can never run code.

Values that travel as data: ``None``, bools, ints, floats, complex numbers,
strings, bytes, slices, ``...``, NumPy arrays and scalars of numeric, bool or
text dtypes (dtype + shape + bytes), and lists, tuples and dicts of these.
Anything else stays with its owner behind a *handle*; the other side gets a
proxy that forwards calls and attribute reads.

Arrays are *mirrored*: every array that crosses gets a key, both sides keep
their copy under that key, and each message carries the new contents of every
mirrored array that changed since the last message. So an in-place write that
student code makes into an argument shows up in the grader's own array, and an
array the child keeps (``layer.grads[0]``) is the same grader object each time
it is read, exactly as when the check runs in the notebook.
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import struct
import time

import numpy as np

MAX_FRAME = 256 * 2**20     # one message, arrays included
MAX_HEADER = 16 * 2**20     # its JSON part (parsing JSON costs far more memory than raw bytes)
MAX_DEPTH = 48              # nesting of lists/tuples/dicts
MAX_ITEMS = 1_000_000       # elements in one message's containers, all together
# What one side may make the other keep (mirrored arrays, lists, dicts, proxies) between two
# resets (``forget``, before each exercise): every message is within MAX_FRAME, but a child that
# sends message after message of new arrays would otherwise fill the grader's memory.
MAX_HELD_BYTES = 2**30
MAX_HELD_ITEMS = 4_000_000
_DTYPE = re.compile(r"^[<>|=][biufcUS?]\d{1,3}$")


class ProtocolError(BaseException):
    """The other side sent something that is not a valid message (or closed the channel).

    A BaseException so that nothing in a check step (``except Exception``)
    can swallow it: the grader stops talking to that child.
    """


class Deadline(BaseException):
    """The time limit ran out while waiting for the other side."""


# ---------------------------------------------------------------------------
# Framing: 8-byte length, 4-byte header length, JSON header, buffers
# ---------------------------------------------------------------------------


class Channel:
    """Messages over a pair of file descriptors (pipes), with deadlines on both directions."""

    def __init__(self, rfd: int, wfd: int):
        self.rfd, self.wfd = rfd, wfd
        os.set_blocking(rfd, False)
        os.set_blocking(wfd, False)
        self.received = 0

    def send(self, header: dict, buffers: list[bytes], deadline: float | None = None) -> None:
        head = json.dumps(header, separators=(",", ":"), allow_nan=True).encode()
        body = [struct.pack("<QI", 4 + len(head) + sum(len(b) for b in buffers), len(head)), head, *buffers]
        for chunk in body:
            view = memoryview(chunk)
            while view:
                self._wait(self.wfd, True, deadline)
                try:
                    n = os.write(self.wfd, view[: 1 << 20])
                except BlockingIOError:
                    continue
                except (BrokenPipeError, OSError) as exc:
                    raise ProtocolError(f"the other side closed the channel ({exc.__class__.__name__})")
                view = view[n:]

    def recv(self, deadline: float | None = None) -> tuple[dict, bytes]:
        size, head_len = struct.unpack("<QI", self._read(12, deadline))
        if size > MAX_FRAME or head_len > size - 4 or head_len > MAX_HEADER:
            raise ProtocolError("message too large or malformed")
        data = self._read(size - 4, deadline)
        try:
            header = json.loads(data[:head_len])
        except (ValueError, RecursionError):
            raise ProtocolError("malformed message header") from None
        if not isinstance(header, dict):
            raise ProtocolError("malformed message header")
        return header, data[head_len:]

    def _read(self, n: int, deadline: float | None) -> bytes:
        parts, left = [], n
        while left:
            self._wait(self.rfd, False, deadline)
            try:
                chunk = os.read(self.rfd, min(left, 1 << 20))
            except BlockingIOError:
                continue
            except OSError as exc:
                raise ProtocolError(f"channel read failed ({exc.__class__.__name__})") from None
            if not chunk:
                raise ProtocolError("the other side closed the channel")
            parts.append(chunk)
            left -= len(chunk)
        self.received += n
        return b"".join(parts)

    @staticmethod
    def _wait(fd: int, write: bool, deadline: float | None) -> None:
        timeout = None if deadline is None else deadline - time.monotonic()
        if timeout is not None and timeout <= 0:
            raise Deadline()
        r, w, _ = select.select([] if write else [fd], [fd] if write else [], [], timeout)
        if not r and not w:
            raise Deadline()


# ---------------------------------------------------------------------------
# Arrays
# ---------------------------------------------------------------------------


def plain_array(value) -> np.ndarray | None:
    """``value``'s numbers as a base ndarray (a subclass's own methods never run), or None."""
    # type(), never isinstance(): a class attribute ``__class__ = np.ndarray`` fools isinstance.
    kind = type(value)
    if not issubclass(kind, (np.ndarray, np.generic)):
        return None
    arr = np.ndarray.view(value, np.ndarray) if issubclass(kind, np.ndarray) else np.asarray(value)
    dt = arr.dtype
    if dt.fields is not None or dt.subdtype is not None or dt.kind not in "biufcUS?":
        return None
    return arr


def array_bytes(arr: np.ndarray) -> bytes:
    return np.ascontiguousarray(arr).tobytes()


def array_from(dtype: str, shape, data: bytes, writeable: bool = True) -> np.ndarray:
    if not isinstance(dtype, str) or not _DTYPE.match(dtype):
        raise ProtocolError("bad array dtype")
    if not isinstance(shape, list) or len(shape) > 32 or not all(
            type(s) is int and 0 <= s for s in shape):
        raise ProtocolError("bad array shape")
    count = 1
    for s in shape:
        count *= s
    try:        # "<f3", an itemsize of 0, a shape too big to index: all NumPy errors, all malformed
        dt = np.dtype(dtype)
        if count * dt.itemsize != len(data):
            raise ProtocolError("array data does not match its shape")
        arr = np.frombuffer(data, dtype=dt).reshape(shape).copy()
    except (TypeError, ValueError):
        raise ProtocolError("bad array dtype or shape") from None
    arr.flags.writeable = bool(writeable)
    return arr


# ---------------------------------------------------------------------------
# The codec, with handles and mirrored arrays
# ---------------------------------------------------------------------------


class Codec:
    """Encodes and decodes values for one side of a connection.

    ``side`` is "g" (grader) or "c" (child). ``export`` turns a non-data
    object into a handle description; ``proxy`` turns the other side's handle
    description into a local proxy; ``resolve`` maps a handle id of our own
    back to our object.
    """

    def __init__(self, side: str, export, proxy, resolve):
        self.side = side
        self.export, self.proxy, self.resolve = export, proxy, resolve
        self.mirrors: dict[str, np.ndarray] = {}    # key -> our array
        self.keys: dict[int, str] = {}              # id(our array) -> key
        self.saved: dict[str, bytes] = {}           # key -> contents at the last sync
        self.counter = 0
        self.held_bytes = self.held_items = 0       # what decoding has kept alive since the last reset
        self.written: dict[str, tuple] = {}         # key of ours -> (our object, its contents before the
                                                    # other side first wrote into it)

    def reset(self) -> None:
        """Forget every mirrored array (between exercises: keeps memory bounded)."""
        self.mirrors.clear()
        self.keys.clear()
        self.saved.clear()
        self.held_bytes = self.held_items = 0

    def _remember(self, key: str, mine) -> None:
        """Before the other side first writes into an array, list or dict of ours, keep a copy."""
        if key[:1] == self.side and key not in self.written:
            self.written[key] = (mine, mine.copy())

    def restore(self) -> None:
        """Put back what the other side wrote into our arrays, lists and dicts.

        In-place writes must come back while a check runs (``modifies=``, "modified its input"),
        but the steps also hand out the course's module-level arrays: without this, a write into
        one would change the checks of every submission graded after it.
        """
        for mine, before in self.written.values():
            if isinstance(mine, np.ndarray):
                self._update(mine, before)
            elif isinstance(mine, list):
                mine[:] = before
            else:
                mine.clear()
                mine.update(before)
        self.written.clear()

    def _hold(self, items: int, nbytes: int = 0) -> None:
        """Count what decoding keeps alive; a sender that would make us keep too much is refused."""
        self.held_items += items
        self.held_bytes += nbytes
        if self.held_items > MAX_HELD_ITEMS or self.held_bytes > MAX_HELD_BYTES:
            raise ProtocolError(f"the other side sent more than {MAX_HELD_BYTES >> 20} MB or "
                                f"{MAX_HELD_ITEMS:,} values between two exercises")

    # -- encoding ------------------------------------------------------------

    def encode(self, value, buffers: list) -> object:
        budget = [MAX_ITEMS]
        return self._enc(value, buffers, 0, budget)

    def _enc(self, v, buffers, depth, budget):
        budget[0] -= 1
        if depth > MAX_DEPTH or budget[0] < 0:
            raise ValueError("value nested too deeply or too large to send")
        t = type(v)
        if v is None or t is bool or t is str:
            return v
        if t is int:
            if -2**63 <= v < 2**63:
                return v
            if v.bit_length() >= 4000:          # past what int(str) reads back; never a made-up value
                raise ValueError("integer too large to send")
            return {"~": "I", "v": str(v)}
        if t is float:
            return v
        if issubclass(t, (np.ndarray, np.generic)):
            arr = plain_array(v)
            if arr is not None:
                return self._enc_array(v, arr, buffers)
        if t is complex:
            return {"~": "c", "v": [v.real, v.imag]}
        if t is bytes:
            return {"~": "b", "v": base64.b64encode(v).decode()}
        if t is slice:
            return {"~": "s", "v": [self._enc(p, buffers, depth + 1, budget) for p in (v.start, v.stop, v.step)]}
        if v is Ellipsis:
            return {"~": "e"}
        # Subclasses of the plain types travel as their plain value: what the
        # receiver sees are the actual characters and numbers, never methods.
        if issubclass(t, str):
            return str.__str__(v)
        if issubclass(t, int):
            return self._enc(int.__index__(v), buffers, depth, budget)
        if issubclass(t, float):
            return float.__float__(v)
        if issubclass(t, tuple):
            return {"~": "t", "v": [self._enc(x, buffers, depth + 1, budget) for x in tuple.__iter__(v)]}
        # Lists and dicts keep their identity across the channel (``params is model.params``).
        if issubclass(t, list):
            return {"~": "L", "k": self._key(v),
                    "v": [self._enc(x, buffers, depth + 1, budget) for x in list.__iter__(v)]}
        if issubclass(t, dict):
            return {"~": "d", "k": self._key(v),
                    "v": [[self._enc(k, buffers, depth + 1, budget), self._enc(x, buffers, depth + 1, budget)]
                          for k, x in dict.items(v)]}
        return self.export(v)

    def _key(self, obj) -> str:
        key = self.keys.get(id(obj))
        if key is None or self.mirrors.get(key) is not obj:
            self.counter += 1
            key = f"{self.side}{self.counter}"
            self.keys[id(obj)] = key
            self.mirrors[key] = obj
        return key

    def _known(self, key, kind: type):
        """Our object for ``key`` (updated in place by the caller), None when new to us."""
        if type(key) is not str or len(key) > 24:
            raise ProtocolError("bad container key")
        mine = self.mirrors.get(key)
        if mine is not None and type(mine) is not kind:
            raise ProtocolError("container key of another kind")
        if mine is None and key[:1] == self.side:
            raise ProtocolError("unknown container key")
        return mine

    def _enc_array(self, original, arr: np.ndarray, buffers: list) -> dict:
        scalar = issubclass(type(original), np.generic)
        key = None
        if not scalar:
            key = self._key(original)
            data = array_bytes(arr)
            self.saved[key] = data
        else:
            data = array_bytes(arr)
        buffers.append(data)
        return {"~": "a", "i": len(buffers) - 1, "dt": arr.dtype.str, "sh": list(arr.shape),
                "k": key, "w": bool(arr.flags.writeable) if not scalar else True, "s": scalar}

    # -- decoding ------------------------------------------------------------

    def decode(self, obj, blob: bytes, index: list) -> object:
        """``index`` is the header's list of (offset, length) for the buffers in ``blob``."""
        return self._dec(obj, blob, index, 0)

    def _dec(self, o, blob, index, depth):
        if depth > MAX_DEPTH:
            raise ProtocolError("value nested too deeply")
        t = type(o)
        self._hold(1, len(o) if t is str else 0)
        if o is None or t in (bool, int, float, str):
            return o
        if t is not dict:
            raise ProtocolError("unknown value")
        tag = o.get("~")
        if tag == "t":
            return tuple(self._dec(x, blob, index, depth + 1) for x in self._list(o))
        if tag == "L":
            items = [self._dec(x, blob, index, depth + 1) for x in self._list(o)]
            mine = self._known(o.get("k"), list)
            if mine is None:
                mine = items
                self.mirrors[o["k"]], self.keys[id(items)] = items, o["k"]
            else:
                self._remember(o["k"], mine)
                mine[:] = items
            return mine
        if tag == "d":
            out = {}
            for pair in self._list(o):
                if type(pair) is not list or len(pair) != 2:
                    raise ProtocolError("bad dict item")
                key = self._dec(pair[0], blob, index, depth + 1)
                try:
                    out[key] = self._dec(pair[1], blob, index, depth + 1)
                except TypeError:
                    raise ProtocolError("unhashable dict key") from None
            mine = self._known(o.get("k"), dict)
            if mine is None:
                self.mirrors[o["k"]], self.keys[id(out)] = out, o["k"]
                return out
            self._remember(o["k"], mine)
            mine.clear()
            mine.update(out)
            return mine
        if tag == "a":
            return self._dec_array(o, blob, index)
        if tag == "I":
            try:
                return int(o.get("v"))
            except (TypeError, ValueError):
                raise ProtocolError("bad integer") from None
        if tag == "c":
            v = self._list(o)
            if len(v) != 2 or not all(type(p) in (int, float) for p in v):
                raise ProtocolError("bad complex")
            return complex(v[0], v[1])
        if tag == "b":
            self._hold(0, len(o["v"]) if type(o.get("v")) is str else 0)
            try:
                return base64.b64decode(str(o.get("v")), validate=True)
            except ValueError:
                raise ProtocolError("bad bytes") from None
        if tag == "s":
            v = self._list(o)
            if len(v) != 3:
                raise ProtocolError("bad slice")
            return slice(*(self._dec(p, blob, index, depth + 1) for p in v))
        if tag == "e":
            return Ellipsis
        if tag == "h":
            return self.proxy(o)
        if tag == "r":
            return self.resolve(o.get("id"))
        raise ProtocolError("unknown value tag")

    @staticmethod
    def _list(o) -> list:
        v = o.get("v")
        if type(v) is not list:
            raise ProtocolError("bad value")
        return v

    def _buffer(self, i, blob, index) -> bytes:
        """Buffer ``i`` of this message, each at most once: one buffer named by a thousand arrays
        would make the receiver hold a thousand copies of it."""
        if type(i) is not int or not 0 <= i < len(index):
            raise ProtocolError("bad buffer index")
        if index[i] is None:
            raise ProtocolError("a buffer named twice in one message")
        start, length = index[i]
        index[i] = None
        return blob[start:start + length]

    def _dec_array(self, o, blob, index):
        data = self._buffer(o.get("i"), blob, index)
        arr = array_from(o.get("dt"), o.get("sh"), data, o.get("w", True) is not False)
        if o.get("s") is True:
            if arr.ndim != 0:
                raise ProtocolError("bad scalar")
            return arr[()]
        key = o.get("k")
        if type(key) is not str or len(key) > 24:
            raise ProtocolError("bad array key")
        mine = self.mirrors.get(key)
        if mine is not None:
            self._remember(key, mine)
            self._update(mine, arr)
            self.saved[key] = array_bytes(arr)
            return mine
        if key[:1] == self.side:
            raise ProtocolError("unknown array key")   # the other side cannot invent our arrays
        self._hold(0, 2 * len(data))                  # the array and its contents at the last sync
        self.mirrors[key] = arr
        self.keys[id(arr)] = key
        self.saved[key] = data
        return arr

    @staticmethod
    def _update(mine: np.ndarray, new: np.ndarray) -> None:
        if mine.shape == new.shape and mine.dtype == new.dtype:
            writeable = mine.flags.writeable
            try:
                if not writeable:
                    mine.flags.writeable = True
                np.copyto(mine, new)
            except ValueError:
                pass                   # a view of a read-only array: cannot be written, stays as it was
            finally:
                if not writeable:
                    try:
                        mine.flags.writeable = False
                    except ValueError:
                        pass

    # -- syncing mirrored arrays -----------------------------------------------

    def changes(self, buffers: list) -> list:
        """Every mirrored array whose contents changed since the last message, encoded."""
        out = []
        for key, arr in self.mirrors.items():
            plain = plain_array(arr)
            if plain is None:
                continue
            data = array_bytes(plain)
            if data != self.saved.get(key):
                self.saved[key] = data
                buffers.append(data)
                out.append({"~": "a", "i": len(buffers) - 1, "dt": plain.dtype.str, "sh": list(plain.shape),
                            "k": key, "w": bool(plain.flags.writeable), "s": False})
        return out

    def apply_changes(self, items, blob: bytes, index: list) -> None:
        if type(items) is not list:
            raise ProtocolError("bad array updates")
        for item in items:
            if type(item) is not dict or item.get("~") != "a" or item.get("k") not in self.mirrors:
                continue       # an update for an array we no longer track
            self._dec_array(item, blob, index)


def pack(codec: Codec, header: dict, values: dict) -> tuple[dict, list[bytes]]:
    """Encode ``values`` (name -> value) into ``header``, with the mirrored arrays' changes."""
    buffers: list[bytes] = []
    for name, value in values.items():
        header[name] = codec.encode(value, buffers)
    header["sync"] = codec.changes(buffers)
    offsets, pos = [], 0
    for b in buffers:
        offsets.append([pos, len(b)])
        pos += len(b)
    header["buf"] = offsets
    return header, buffers


def buffer_index(header: dict, blob: bytes) -> list:
    """The header's table of buffers: (offset, length) pairs, in order and never overlapping, so
    that all the buffers of a message together are at most the bytes it carried."""
    index = header.get("buf", [])
    end = 0
    for p in index if type(index) is list else [None]:
        if not (type(p) is list and len(p) == 2 and type(p[0]) is int and type(p[1]) is int
                and end <= p[0] and 0 <= p[1] and p[0] + p[1] <= len(blob)):
            raise ProtocolError("bad buffer table")
        end = p[0] + p[1]
    return index
