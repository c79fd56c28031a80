"""The grader's end of the call protocol: proxies of the notebook's objects.

A check step gets, instead of the student's ``sigmoid`` or ``Affine``, a proxy
that forwards calls, method calls and attribute reads to the sandboxed child
and turns what comes back into plain values (arrays, numbers, lists...) or
further proxies. Everything else a step does (computing expected values with
the reference implementation, comparing) happens here, in the grader.

What the steps rely on, and how the proxies provide it:

* in-place writes into argument arrays come back (mirrored arrays, see
  ``protocol.py``), so ``call()`` sees them and ``modifies=`` works;
* NumPy's RuntimeWarnings in the child are raised again here as
  RuntimeWarning, under the NumPy error state the step asked for;
* exceptions come back as ``RemoteError`` subclasses named after the student's
  exception type, also subclassing the built-in one that matters to the step
  (NotImplementedError, AttributeError, KeyError, IndexError, StopIteration,
  TypeError, ValueError);
* ``inspect.signature`` works when the child could describe one; otherwise it
  raises and ``call()`` names arguments by position.
"""

from __future__ import annotations

import inspect
import math
import re
import time
import types
import warnings

import numpy as np

from .peer import Peer
from .protocol import Channel, Deadline, ProtocolError

REFERENCE_ERROR = "CourseReferenceRemoved"
_NUMPY_WARNING = re.compile(r"^(overflow|underflow|divide by zero|invalid value) encountered in [\w ]{1,60}$")
_FLAG_BASES = (("ni", NotImplementedError), ("stop", StopIteration), ("attr", AttributeError),
               ("key", KeyError), ("index", IndexError), ("type", TypeError), ("value", ValueError))


def safe_name(name, default: str = "object") -> str:
    """A student-chosen type name made into a short identifier (no spaces, quotes or control characters)."""
    text = re.sub(r"\W", "_", str(name), flags=re.ASCII)[:40]
    return text if text.isidentifier() else default


class RemoteError(Exception):
    """An exception raised by the notebook's code in the sandbox (type name and message only)."""

    remote_type = "Exception"

    def __str__(self):
        return self.args[0] if self.args else ""


_ERROR_CLASSES: dict = {}


def error_class(name: str, flags: dict) -> type:
    base = next((cls for flag, cls in _FLAG_BASES if flags.get(flag) is True), None)
    key = (safe_name(name, "Exception"), base)
    cls = _ERROR_CLASSES.get(key)
    if cls is None:
        bases = (RemoteError, base) if base is not None else (RemoteError,)
        cls = _ERROR_CLASSES[key] = type(key[0], bases, {"remote_type": key[0], "__module__": "notebook"})
    return cls


# ---------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------

_INTERNAL = frozenset({"_rs", "_rid", "__signature__"})


def _signature(info: dict):
    """An ``inspect.Signature`` from the child's description, or 0 (then ``inspect.signature`` raises)."""
    params = info.get("sig")
    if type(params) is not list or len(params) > 64:      # the child describes at most 64 (and names of 60)
        return 0
    try:
        built = []
        for item in params:
            name, kind, has_default = item
            if type(name) is not str or len(name) > 60 or not name.isidentifier() or type(kind) is not int \
                    or not 0 <= kind <= 4:
                return 0
            default = None if has_default is True else inspect.Parameter.empty
            built.append(inspect.Parameter(name, inspect._ParameterKind(kind), default=default))
        return inspect.Signature(built)
    except (TypeError, ValueError):
        return 0


class RemoteObject:
    """An object that lives in the sandbox. Dunder attributes are never forwarded."""

    __slots__ = ("_rs", "_rid", "__signature__", "__weakref__")

    def __getattr__(self, name):
        if name.startswith("__") or name in _INTERNAL:
            raise AttributeError(name)
        return self._rs.op("getattr", target=self, name=name)

    def __setattr__(self, name, value):
        if name in _INTERNAL:
            object.__setattr__(self, name, value)
        else:
            self._rs.op("setattr", target=self, name=name, value=value)

    def __len__(self):
        n = self._rs.op("len", target=self)
        if type(n) is not int or not 0 <= n <= 10**8:
            raise TypeError("len() of the notebook's object is not a sensible length")
        return n

    def __getitem__(self, key):
        return self._rs.op("getitem", target=self, args=(key,))

    def __setitem__(self, key, value):
        self._rs.op("setitem", target=self, args=(key,), value=value)

    def __iter__(self):
        return self._rs.op("iter", target=self)

    def __next__(self):
        return self._rs.op("next", target=self)

    def __contains__(self, item):
        return self._rs.op("contains", target=self, args=(item,)) is True

    def __array__(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} from the notebook is not a NumPy array")

    def __repr__(self):
        return f"<{type(self).__name__} object>"


class RemoteCallable(RemoteObject):
    """A function, method or callable object that lives in the sandbox."""

    __slots__ = ()

    def __call__(self, *args, **kwargs):
        return self._rs.op("call", target=self, args=args, kwargs=kwargs)

    def __repr__(self):
        return f"<function {type(self).__name__}>"


class RemoteClassMeta(type):
    """The type of proxies of the notebook's classes: ``inspect.isclass`` holds, calls construct remotely."""

    def __call__(cls, *args, **kwargs):
        return cls._rs.op("call", target=cls, args=args, kwargs=kwargs)

    def __getattr__(cls, name):
        if name.startswith("__") or name in _INTERNAL:
            raise AttributeError(name)
        return cls._rs.op("getattr", target=cls, name=name)

    def __repr__(cls):
        return f"<class {cls.__name__}>"


MAX_TYPE_NAMES = 1_000      # proxy classes one session may have the grader make (about 1.5 KB each)


def _proxy_type(cache: dict, base: type, name: str) -> type:
    """The proxy class named after the notebook's type, from ``cache`` (the session's: the names are
    the child's to choose, so a run-wide cache would grow with every made-up name)."""
    if (base, name) not in cache and len(cache) >= MAX_TYPE_NAMES:
        name = "object"
    cls = cache.get((base, name))
    if cls is None:
        cls = cache[(base, name)] = type(name, (base,), {"__slots__": (), "__module__": "notebook"})
    return cls


MAX_DRAWS = 10_000_000      # numbers one call of a grader's random generator may make for the child (80 MB)


def _draws(method, args: tuple, kwargs: dict) -> int:
    """About how many numbers a call of a random generator's method makes: its size-like arguments
    (``size``, ``length``, ``n_children``, an int ``x`` of ``permutation``) times the broadcast
    shape of its array arguments. 0 when the arguments do not fit the method (the call will fail)."""
    try:
        bound = inspect.signature(method).bind(*args, **kwargs).arguments
    except (TypeError, ValueError):
        return 0
    count = 1
    for name in ("size", "length", "n_children", "n_words", "x"):
        value = bound.get(name)
        items = value if isinstance(value, (tuple, list)) else [value]
        for item in items:
            if isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
                count *= max(int(item), 1)
    shapes = [v.shape for v in bound.values() if isinstance(v, np.ndarray)]
    try:
        count *= math.prod(np.broadcast_shapes(*shapes)) if shapes else 1
    except ValueError:
        pass
    return count


def _withheld(obj) -> bool:
    """A module, a class or a module-level built-in (``os.system``): never handed to the child."""
    return isinstance(obj, (types.ModuleType, type)) or (
        isinstance(obj, types.BuiltinFunctionType) and isinstance(obj.__self__, types.ModuleType))


# ---------------------------------------------------------------------------
# The session
# ---------------------------------------------------------------------------


class Session(Peer):
    """The grader's connection to one sandboxed child."""

    side = "g"

    def __init__(self, channel: Channel):
        super().__init__(channel)
        self.until: float | None = None       # deadline of the current operation (monotonic)
        self.reference_used: list[str] = []   # messages of CourseReferenceRemoved errors seen
        self.proxy_types: dict = {}           # (base, type name) -> proxy class
        self.relay_warnings = False           # only while one of this session's checks runs (see on_reply)

    def deadline(self):
        return self.until

    def op(self, op: str, **values):
        """A request about one of the child's objects (what the proxies call)."""
        if self.until is not None and time.monotonic() >= self.until:
            raise Deadline()
        return self.request(op, **values)

    def request(self, op, header=None, **values):
        # The step's NumPy error state travels with every request, so the
        # child warns (or raises) exactly where a local call would.
        return super().request(op, header={"err": dict(np.geterr()), **(header or {})}, **values)

    # -- handles ---------------------------------------------------------------

    def export(self, obj) -> dict:
        # Wherever it is found (a passed object's attribute, an item of a list it holds, what a
        # call returns): from a module or class the child could reach the grader's other code.
        if self.is_proxy(obj) is None and _withheld(obj):
            raise TypeError("modules, classes and module-level built-ins are never handed to the sandbox")
        return super().export(obj)

    def describe(self, obj) -> dict:
        return {"k": "function" if callable(obj) else "object", "n": "grader"}

    def proxy_for(self, info):
        kind = info.get("k")
        name = safe_name(info.get("n"))
        if kind == "class":
            cls = RemoteClassMeta(name, (), {"__module__": "notebook", "__signature__": _signature(info)})
            type.__setattr__(cls, "_rs", self)
            type.__setattr__(cls, "_rid", info["id"])
            return cls
        proxy = object.__new__(_proxy_type(self.proxy_types, RemoteCallable if kind == "function" else RemoteObject,
                                           name))
        object.__setattr__(proxy, "_rs", self)
        object.__setattr__(proxy, "_rid", info["id"])
        object.__setattr__(proxy, "__signature__", _signature(info) if kind == "function" else 0)
        return proxy

    def is_proxy(self, obj):
        if isinstance(obj, RemoteClassMeta):
            return type.__getattribute__(obj, "_rid") if type.__getattribute__(obj, "_rs") is self else None
        if isinstance(obj, RemoteObject):
            return object.__getattribute__(obj, "_rid") if object.__getattribute__(obj, "_rs") is self else None
        return None

    def is_fatal(self, exc):
        return not isinstance(exc, Exception)

    def on_reply(self, msg):
        # Warning filters are process-wide: a warning raised here while another submission's check
        # records them would fail that check. So only while a check of this session runs (under
        # the grader's steps lock), never for cells or the quiz.
        found = msg.get("w")
        if type(found) is list and self.relay_warnings:
            for text in found[:20]:
                text = text if isinstance(text, str) and _NUMPY_WARNING.match(text) else \
                    "a RuntimeWarning from the notebook's code"
                warnings.warn(text, RuntimeWarning, stacklevel=3)

    def raise_failure(self, msg):
        name = str(msg.get("t", "Exception"))[:100]
        flags = msg.get("f") if isinstance(msg.get("f"), dict) else {}
        text = str(msg.get("m", ""))[:2000]
        if safe_name(name) == REFERENCE_ERROR:
            self.reference_used.append(text[:300])
        raise error_class(name, flags)(text)

    # -- what the child may ask of the grader ------------------------------------
    #
    # Only calls of the functions and objects a step passed in (a function to
    # differentiate, a spy optimizer), and public attribute reads on them.
    # Modules, classes and module-level built-ins are never handed out, so the
    # child cannot walk from a passed object to the grader's modules.

    def dispatch(self, op, msg, args):
        target = args.get("target")
        if op == "call":
            call_args, kwargs = args.get("args", ()), args.get("kwargs", {})
            if not callable(target) or isinstance(target, type) or type(call_args) is not tuple \
                    or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
                raise TypeError("not callable")
            # A generator the step passed in draws here, in the grader: rng.random(10**9) would be 8 GB.
            if isinstance(getattr(target, "__self__", None), np.random.Generator) and \
                    _draws(target, call_args, kwargs) > MAX_DRAWS:
                raise MemoryError(f"at most {MAX_DRAWS:,} numbers per call of the check's random generator")
            return target(*call_args, **kwargs)
        if op == "getattr":
            name = msg.get("name")
            if type(name) is not str or name.startswith("_"):
                raise AttributeError("only public attributes can be read")
            value = getattr(target, name)
            if _withheld(value) or isinstance(value, (np.random.BitGenerator, np.random.SeedSequence)):
                raise AttributeError(f"{name} cannot be read from the sandbox")
            return value
        if op == "len":
            return len(target)
        if op == "getitem":
            return target[args["args"][0]]
        if op == "iter":
            return iter(target)
        if op == "next":
            return next(target)
        raise ProtocolError(f"request {op!r} is not allowed")
