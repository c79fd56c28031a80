"""The call protocol on its own: a child peer in a thread, the grader's session, real pipes.

These are the guarantees the check steps rely on when they run in the grader
against proxies of the student's objects (see helpers/grading/remote.py).
"""

from __future__ import annotations

import inspect
import os
import threading

import numpy as np
import pytest

from helpers.checking import CheckFailure, NotDone, call, expect_no_warning
from helpers.grading.child import Child
from helpers.grading.protocol import Channel, Codec, ProtocolError, buffer_index, pack
from helpers.grading.remote import RemoteError, Session


def connect(source: str):
    """A session whose child has run ``source`` (plain Python) in its namespace."""
    a_r, b_w = os.pipe()
    b_r, a_w = os.pipe()
    child = Child(Channel(b_r, b_w))
    child.ns = {"np": np}
    exec(compile(source, "<student>", "exec"), child.ns)
    threading.Thread(target=child.serve_forever, daemon=True).start()
    session = Session(Channel(a_r, a_w))
    session.relay_warnings = True                       # as while a check runs (scoring sets it)
    return session, lambda name: session.request("lookup", name=name)["value"]


def test_plain_values_round_trip_exactly():
    session, get = connect("def echo(v):\n    return v\n")
    echo = get("echo")
    value = {"a": [1, 2.5, None, True, "text", b"bytes", 3 + 4j, (1, 2)], 7: slice(1, None, 2),
             "big": 2**80, "nan": float("nan"), "ell": ...}
    back = echo(value)
    assert back["a"] == value["a"] and back[7] == value[7] and back["big"] == 2**80
    assert np.isnan(back["nan"]) and back["ell"] is Ellipsis and type(back["a"][7]) is tuple
    for arr in (np.arange(6, dtype=np.int32).reshape(2, 3), np.array([1.5, -2.0]), np.array(True),
                np.array(["a", "bc"]), np.zeros((0, 3))):
        out = echo(arr)
        assert type(out) is np.ndarray and out.dtype == arr.dtype and np.array_equal(out, arr)
    assert type(echo(np.float64(2.5))) is np.float64 and type(echo(np.int64(3))) is np.int64


def test_in_place_writes_come_back_and_call_detects_them():
    session, get = connect(
        "def clip(x):\n    x[x < 0] = 0\n    return x\n"
        "def update(params, grads):\n    for p, g in zip(params, grads):\n        p -= 0.5 * g\n"
        "def nested(d):\n    d['w'][0] = 99.0\n")
    x = np.array([-1.0, 2.0])
    with pytest.raises(CheckFailure, match="modified its input"):
        call(get("clip"), x, call_text="clip(x)")
    assert x.tolist() == [0.0, 2.0]
    params, grads = [np.ones(2), np.ones(3)], [np.ones(2), 2 * np.ones(3)]
    call(get("update"), params, grads, modifies=(0,), call_text="update(params, grads)")
    assert params[0].tolist() == [0.5, 0.5] and params[1].tolist() == [0.0, 0.0, 0.0]
    d = {"w": np.zeros(2)}
    get("nested")(d)
    assert d["w"][0] == 99.0


def test_arrays_lists_and_objects_keep_their_identity():
    session, get = connect(
        "class Layer:\n"
        "    def __init__(self, W):\n        self.W = W\n        self.params = [W]\n"
        "        self.grads = [np.zeros_like(W)]\n"
        "    def backward(self, dout):\n        self.grads[0][...] = dout\n        return dout\n")
    Layer = get("Layer")
    assert inspect.isclass(Layer) and str(inspect.signature(Layer)) == "(W)"
    W = np.ones(3)
    layer = Layer(W)
    held = layer.grads[0]
    assert layer.params[0] is W and layer.grads[0] is held and layer.params is layer.params
    layer.backward(np.array([1.0, 2.0, 3.0]))
    assert held.tolist() == [1.0, 2.0, 3.0]          # the grader's copy follows the child's array
    layer.W = np.array([5.0])
    assert layer.W.tolist() == [5.0]


def test_callbacks_see_in_place_nudges_and_numpy_warnings_come_back():
    session, get = connect(
        "def numerical_gradient(f, x, h=1e-4):\n"
        "    g = np.zeros_like(x)\n"
        "    for i in np.ndindex(x.shape):\n"
        "        old = x[i]; x[i] = old + h; a = f(x); x[i] = old - h; b = f(x); x[i] = old\n"
        "        g[i] = (a - b) / (2 * h)\n"
        "    return g\n"
        "def naive(x):\n    return 1 / (1 + np.exp(-x))\n")
    x = np.array([1.0, -2.0])
    g = get("numerical_gradient")(lambda _: np.sum(np.sin(x)), x)   # f reads x itself, not its argument
    assert np.allclose(g, np.cos(x))
    with pytest.raises(CheckFailure, match="numerically stable"):
        expect_no_warning(get("naive"), np.array([-1000.0]), call_text="naive(x)")


def test_exceptions_come_back_by_type_name_and_blanks_are_not_done():
    session, get = connect(
        "def todo(x):\n    raise NotImplementedError()\n"
        "def blank(x):\n    return ... * x\n"
        "class Sly(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n"
        "def bad(x):\n    raise ValueError('too big')\n"
        "def sly(x):\n    raise Sly()\n")
    with pytest.raises(NotDone):
        call(get("todo"), 1)
    with pytest.raises(NotDone):
        call(get("blank"), 1.0)
    with pytest.raises(CheckFailure, match="raised ValueError"):
        call(get("bad"), 1)
    with pytest.raises(RemoteError) as info:
        get("sly")(1)
    assert type(info.value).__name__ == "Sly" and "could not be read" in str(info.value)
    assert getattr(get("bad"), "missing", "default") == "default"   # AttributeError comes back as one


def test_objects_that_pretend_to_be_arrays_stay_proxies():
    session, get = connect(
        "class Fake:\n    __class__ = np.ndarray\n    shape = (2,)\n    def __array__(self, *a, **k):\n"
        "        return np.array([1.0, 2.0])\n    def __eq__(self, other):\n        return True\n"
        "class Sub(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
        "def fake(x):\n    return Fake()\n"
        "def sub(x):\n    return np.zeros(2).view(Sub)\n")
    out = get("fake")(1)
    assert not isinstance(out, np.ndarray) and out != np.array([1.0, 2.0]).tolist()
    with pytest.raises(TypeError):
        np.asarray(out, dtype=float)
    back = get("sub")(1)
    assert type(back) is np.ndarray and back.tolist() == [0.0, 0.0]   # the numbers, not the subclass


def test_the_child_cannot_reach_the_graders_modules_through_passed_objects():
    session, get = connect(
        "def probe(f):\n"
        "    found = []\n"
        "    for path in ('__globals__', '__code__', '__self__', '__func__', 'os'):\n"
        "        try:\n            getattr(f, path)\n            found.append(path)\n"
        "        except Exception:\n            pass\n"
        "    return found, type(f).__name__\n")

    class Holder:
        import os  # noqa: F401 - a module as a public attribute must not be handed out

        def __call__(self):
            return 1

    assert get("probe")(lambda: 1) == ([], "GraderProxy")
    assert get("probe")(Holder()) == ([], "GraderProxy")


def test_malformed_messages_are_refused_without_running_anything():
    codec = Codec("g", export=lambda v: {"~": "h", "id": 1}, proxy=lambda info: info,
                  resolve=lambda hid: (_ for _ in ()).throw(ProtocolError("unknown")))
    header, buffers = pack(codec, {"op": "x"}, {"value": np.arange(3.0)})
    blob = b"".join(buffers)
    index = buffer_index(header, blob)
    bad_headers = [
        {"~": "a", "i": 0, "dt": "|O8", "sh": [3], "k": "c1"},          # object dtype: refused
        {"~": "a", "i": 0, "dt": "<f8", "sh": [4], "k": "c1"},          # size mismatch
        {"~": "a", "i": 5, "dt": "<f8", "sh": [3], "k": "c1"},          # no such buffer
        {"~": "a", "i": 0, "dt": "<f8", "sh": [3], "k": "g999"},        # an array of ours never sent
        {"~": "r", "id": 12345},                                        # a handle never given
        {"~": "pickle", "v": "gASV"},                                   # no such tag
    ]
    for bad in bad_headers:
        with pytest.raises(ProtocolError):
            codec.decode(bad, blob, list(index))         # a fresh table: each buffer is used once
    deep = value = {"~": "t", "v": []}
    for _ in range(100):
        value["v"].append({"~": "t", "v": []})
        value = value["v"][0]
    with pytest.raises(ProtocolError):
        codec.decode(deep, blob, index)


def _forged(values: list, buffers: list[bytes], table=None) -> tuple[dict, bytes, list]:
    """A message as a hostile child can write it on the channel: any header, any buffer table."""
    blob = b"".join(buffers)
    if table is None:
        table, pos = [], 0
        for b in buffers:
            table.append([pos, len(b)])
            pos += len(b)
    header = {"op": "reply", "value": {"~": "t", "v": values}, "buf": table}
    return header, blob, buffer_index(header, blob)


def _array(i: int, key: str, size: int) -> dict:
    return {"~": "a", "i": i, "dt": "|u1", "sh": [size], "k": key, "w": True, "s": False}


def test_a_message_cannot_make_the_receiver_hold_more_than_it_sent():
    # One 1 MB buffer named by 2000 arrays was 2 GB in the grader; a table of overlapping
    # buffers is the same trick by other means.
    codec = Codec("g", export=None, proxy=None, resolve=None)
    header, blob, index = _forged([_array(0, f"c{i}", 2**20) for i in range(2000)], [b"x" * 2**20])
    with pytest.raises(ProtocolError, match="twice"):
        codec.decode(header["value"], blob, index)
    with pytest.raises(ProtocolError, match="buffer table"):
        _forged([_array(i, f"c{i}", 2**20) for i in range(3)], [b"x" * 2**20], table=[[0, 2**20]] * 3)
    # Bad dtypes and shapes are refused as malformed, not raised as the grader's own TypeError.
    for dt, shape, data in (("<f3", [1], b"abc"), ("|S0", [2**40], b""), ("|u1", [2**62, 2**62, 0], b"")):
        with pytest.raises(ProtocolError):
            codec.decode({"~": "a", "i": 0, "dt": dt, "sh": shape, "k": "c1"}, data, [[0, len(data)]])


def test_the_receiver_holds_a_bounded_amount_between_two_exercises(monkeypatch):
    # Each message within the frame limit, but every one with new arrays (or lists, or handles):
    # without a bound on what is kept until the next `forget`, the grader runs out of memory.
    import helpers.grading.protocol as protocol

    monkeypatch.setattr(protocol, "MAX_HELD_BYTES", 8 * 2**20)
    monkeypatch.setattr(protocol, "MAX_HELD_ITEMS", 50_000)
    codec = Codec("g", export=None, proxy=lambda info: object(), resolve=None)
    with pytest.raises(ProtocolError, match="more than"):
        for n in range(100):
            header, blob, index = _forged([_array(0, f"c{n}", 2**20)], [b"x" * 2**20])
            codec.decode(header["value"], blob, index)
    assert n < 10
    codec.reset()                                     # between exercises: a fresh allowance
    header, blob, index = _forged([_array(0, "c1", 2**20)], [b"x" * 2**20])
    codec.decode(header["value"], blob, index)
    for kind in ("L", "h"):
        codec.reset()
        with pytest.raises(ProtocolError, match="more than"):
            for n in range(100):
                items = [{"~": "h", "id": n * 10_000 + i, "k": "class"} if kind == "h" else i for i in range(10_000)]
                codec.decode({"~": "L", "k": f"c{n}", "v": items}, b"", [])
        assert n < 10


def test_a_forged_reply_that_names_one_buffer_many_times_ends_the_session():
    session, get = connect(
        "import gc\n"
        "def flood():\n"
        "    me = next(o for o in gc.get_objects() if type(o).__name__ == 'Child' and o.ns is globals())\n"
        "    arrays = [{'~': 'a', 'i': 0, 'dt': '|u1', 'sh': [2**20], 'k': f'c{i}', 'w': True, 's': False}\n"
        "              for i in range(2000)]\n"
        "    me.channel.send({'op': 'reply', 'id': me.seq_seen, 'ok': True, 'value': {'~': 't', 'v': arrays},\n"
        "                     'buf': [[0, 2**20]], 'sync': []}, [b'x' * 2**20])\n")
    from helpers.grading.child import Child

    serve = Child.serve

    def remember(self, msg, blob, index):          # the child's code could read the request id anyway
        self.seq_seen = msg.get("id")
        return serve(self, msg, blob, index)

    try:
        Child.serve = remember
        with pytest.raises(ProtocolError):
            get("flood")()
    finally:
        Child.serve = serve


def test_type_names_the_child_chooses_cost_the_grader_a_bounded_number_of_classes():
    # Each proxy's class is named after the notebook's type; 3,000 made-up type names were 3,000
    # classes (1.5 KB each) kept for the whole run, a few hundred MB per message of handles.
    from helpers.grading.remote import MAX_TYPE_NAMES

    session, get = connect("def many(n):\n    return [type(f'T{i}', (), {})() for i in range(n)]\n")
    objects = get("many")(3 * MAX_TYPE_NAMES)
    kinds = {type(o) for o in objects}
    assert len(kinds) <= MAX_TYPE_NAMES + 1 and type(objects[0]).__name__ == "T0"
    again = connect("def many(n):\n    return [type(f'T{i}', (), {})() for i in range(n)]\n")[1]("many")(3)
    assert type(again[0]) is not type(objects[0])          # one session's classes are not kept for the next


def test_a_forged_signature_is_refused_when_longer_than_the_child_ever_describes():
    # The child describes at most 64 parameters; a forged handle with a million (16 MB of header)
    # became a million inspect.Parameter objects kept on the proxy, outside the hold caps.
    from helpers.grading.remote import _signature

    params = [[f"a{i}", 1, False] for i in range(100_000)]
    assert _signature({"sig": params}) == 0
    assert list(_signature({"sig": params[:3]}).parameters) == ["a0", "a1", "a2"]
    assert _signature({"sig": [["a" * 10_000, 1, False]]}) == 0


def test_an_integer_too_large_to_send_is_an_error_not_a_zero():
    # It travelled as 0: a function that returned 2**5000 where 0 was expected passed.
    session, get = connect("def huge():\n    return 2**5000\n")
    with pytest.raises(RemoteError, match="too large"):
        get("huge")()


def test_modules_and_classes_inside_a_passed_objects_containers_are_not_handed_out_either():
    # A public attribute that is a list or dict was encoded item by item, and a module or class in
    # it became a handle: from a class the child could read and call its functions in the grader.
    import shutil

    session, get = connect(
        "def probe(holder):\n"
        "    found = []\n"
        "    for name in ('tools', 'kinds', 'pair'):\n"
        "        try:\n"
        "            value = getattr(holder, name)\n"
        "            found.append(name)\n"
        "        except Exception:\n"
        "            pass\n"
        "    return found\n")

    class Holder:
        def __init__(self):
            self.tools = [shutil]
            self.kinds = {"dict": dict, "rmtree": shutil.rmtree}
            self.pair = (np.exp, 1)

        def __call__(self):
            return 1

    assert get("probe")(Holder()) == ["pair"]


def test_a_random_generator_the_check_passes_in_draws_a_bounded_amount_in_the_grader():
    # Steps pass np.random.default_rng(seed) to the notebook (init_network, minibatches,
    # stratified_split...): its draws run in the grader, so rng.random(10**9) was 8 GB there (and
    # three copies of it on the way back), enough to have the whole run killed for memory.
    from helpers.grading.remote import MAX_DRAWS

    session, get = connect(
        "def draws(rng, n):\n"
        "    out = []\n"
        "    for name, call in [('random', lambda: rng.random(n)), ('size', lambda: rng.normal(0, 1, size=(n, 2))),\n"
        "                       ('permutation', lambda: rng.permutation(n)),\n"
        "                       ('raw', lambda: rng.bit_generator.random_raw(n)),\n"
        "                       ('spawn', lambda: rng.spawn(n)), ('integers', lambda: rng.integers(0, 2**40, size=3))]:\n"
        "        try:\n"
        "            call()\n"
        "            out.append(name)\n"
        "        except Exception:\n"
        "            pass\n"
        "    return out\n")
    assert get("draws")(np.random.default_rng(0), 10) == ["random", "size", "permutation", "spawn", "integers"]
    assert get("draws")(np.random.default_rng(0), MAX_DRAWS + 1) == ["integers"]
