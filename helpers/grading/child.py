"""The process inside the sandbox: runs the notebook's cells, then only answers calls.

Started by the grader as ``python -I -B -c "...; from helpers.grading.child import main; main()"``
with the protocol on its stdin/stdout. Nothing here decides a grade: this
process is as untrusted as the notebook it runs, and the grader treats every
answer it sends as a value to check, never as a verdict.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import signal
import sys
import time
import warnings

from .peer import Peer
from .protocol import Channel, ProtocolError, buffer_index

_ERR_MODES = ("ignore", "warn", "raise", "print")
_SAFE_FLAGS = (("ni", NotImplementedError), ("attr", AttributeError), ("key", KeyError),
               ("index", IndexError), ("stop", StopIteration), ("type", TypeError), ("value", ValueError))


class CellTimeout(BaseException):
    """Raised in a cell that runs past its time limit."""


def _type_name(obj) -> str:
    """The name of ``obj``'s class, read without running a metaclass's code."""
    try:
        return type.__dict__["__name__"].__get__(type(obj), type)[:80]
    except Exception:
        return "object"


def _text(exc: BaseException) -> str:
    try:
        text = str(exc)
        return text[:2000] if type(text) is str else ""
    except BaseException:  # noqa: B902 - a hostile __str__
        return "(the exception's message could not be read)"


class GraderProxy:
    """An object of the grader's (a function a check passed in): calls go back to the grader."""

    __slots__ = ("_peer", "_hid", "__weakref__")

    def __init__(self, peer, hid):
        object.__setattr__(self, "_peer", peer)
        object.__setattr__(self, "_hid", hid)

    def __call__(self, *args, **kwargs):
        return self._peer.request("call", target=self, args=args, kwargs=kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._peer.request("getattr", target=self, name=name)

    def __len__(self):
        return self._peer.request("len", target=self)

    def __getitem__(self, key):
        return self._peer.request("getitem", target=self, args=(key,))

    def __iter__(self):
        return self._peer.request("iter", target=self)

    def __next__(self):
        return self._peer.request("next", target=self)


class Child(Peer):
    side = "c"

    def __init__(self, channel: Channel):
        super().__init__(channel)
        self.shell = None
        self.ns: dict = {}

    # -- cells -----------------------------------------------------------------

    def start_shell(self) -> None:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False
        self.shell = InteractiveShell.instance(config=config)
        self.ns = self.shell.user_ns
        self.ns.setdefault("get_ipython", lambda: self.shell)   # what transformed magics call
        try:  # the notebook's check calls do nothing here: the grader checks, not the notebook
            import helpers
            import helpers.checking
            import helpers.quiz

            def quiet(*args, **kwargs):
                return None

            for module, names in ((helpers, ("check", "check_quiz", "show_quiz", "hint")),
                                  (helpers.checking, ("check",)), (helpers.quiz, ("check_quiz", "show_quiz"))):
                for name in names:
                    setattr(module, name, quiet)
        except Exception:
            pass

    def run_cell(self, source: str, timeout: float) -> dict:
        """Run one cell: IPython turns its magics into Python, then plain ``exec`` (or an event
        loop, for a cell with a top-level ``await``). Not ``shell.run_cell``, which keeps every
        string the cell prints alive (hundreds of MB for a cell that prints in a loop)."""
        def stop(signum, frame):
            raise CellTimeout()

        started = time.monotonic()
        error = None
        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            code = compile(self.shell.transform_cell(source), "<cell>", "exec",
                           flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
            result = eval(code, self.ns)
            if code.co_flags & inspect.CO_COROUTINE:
                asyncio.new_event_loop().run_until_complete(result)
        except BaseException as exc:  # noqa: B902 - whatever the cell raised is its report
            error = exc
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        seconds = round(time.monotonic() - started, 3)
        if error is None:
            return {"status": "ok", "error": "", "seconds": seconds}
        if isinstance(error, CellTimeout):
            return {"status": "timeout", "error": f"stopped after {timeout:g} s (time limit per cell)",
                    "seconds": seconds}
        status = "exit" if isinstance(error, SystemExit) else "error"
        return {"status": status, "error": f"{_type_name(error)}: {_text(error)}"[:500], "seconds": seconds}

    # -- the protocol ------------------------------------------------------------

    def is_fatal(self, exc):
        return isinstance(exc, ProtocolError)

    def describe(self, obj) -> dict:
        if issubclass(type(obj), type):        # not isinstance(): it reads `__class__`, the notebook's to define
            kind = "class"
            name = type.__dict__["__name__"].__get__(obj, type)[:80]
        else:
            kind = "function" if callable(obj) else "object"
            name = _type_name(obj)
        return {"k": kind, "n": name, "sig": self._signature(obj) if kind != "object" else None}

    @staticmethod
    def _signature(obj):
        try:
            sig = inspect.signature(obj)
            return [[str(p.name)[:60], int(p.kind), p.default is not p.empty]
                    for p in list(sig.parameters.values())[:64]]
        except BaseException:  # noqa: B902 - no signature, or hostile code computing one
            return None

    def proxy_for(self, info):
        return GraderProxy(self, info["id"])

    def is_proxy(self, obj):
        return object.__getattribute__(obj, "_hid") if type(obj) is GraderProxy else None

    def error_reply(self, exc):
        flags = {}
        for flag, cls in _SAFE_FLAGS:
            try:
                flags[flag] = isinstance(exc, cls)
            except BaseException:  # noqa: B902
                flags[flag] = False
        return {"t": _type_name(exc), "m": _text(exc), "f": flags}

    def answer(self, msg, blob, index):
        # The reply is sent only after the warnings context is closed (Peer.serve): the grader side
        # of a test may run in another thread of this process, and must see its own warnings again.
        # Outside the notebook's cells the child serves a check: the course code that does an
        # exercise's work under another name is refused then (course_copy.OTHER_REFERENCES).
        stubs = sys.modules.get("helpers._withheld")
        if stubs is not None:
            stubs.CHECKING = msg.get("op") != "cell"
        errstate = msg.get("err") if isinstance(msg.get("err"), dict) else {}
        errstate = {k: v for k, v in errstate.items() if k in ("over", "divide", "invalid", "under")
                    and v in _ERR_MODES}
        import numpy as np

        saved = getattr(self, "_caught", [])
        try:
            with warnings.catch_warnings(record=True) as caught, np.errstate(**errstate):
                warnings.simplefilter("always")
                self._caught = caught
                return super().answer(msg, blob, index)
        finally:
            self._caught = saved

    def extra_reply(self) -> dict:
        caught = getattr(self, "_caught", [])
        found = []
        for w in caught[:20]:
            try:
                if issubclass(w.category, RuntimeWarning):
                    found.append(str(w.message)[:200])
            except BaseException:  # noqa: B902
                pass
        return {"w": found}

    def serve_forever(self) -> None:
        """Answer the grader's requests until it says goodbye or the channel closes."""
        try:
            while True:
                msg, blob = self.channel.recv(None)
                index = buffer_index(msg, blob)
                self.codec.apply_changes(msg.get("sync", []), blob, index)
                if msg.get("op") == "bye":
                    break
                self.serve(msg, blob, index)
        except ProtocolError:
            pass

    def dispatch(self, op, msg, args):
        target = args.get("target")
        if op == "cell":
            source, timeout = msg.get("src"), msg.get("timeout")
            if type(source) is not str or type(timeout) not in (int, float):
                raise ValueError("bad cell request")
            return self.run_cell(source, float(timeout))
        if op == "lookup":
            name = msg.get("name")
            if type(name) is not str:
                raise ValueError("bad name")
            missing = object()
            value = self.ns.get(name, missing)
            return {"found": False} if value is missing else {"found": True, "value": value}
        if op == "call":
            call_args, kwargs = args.get("args", ()), args.get("kwargs", {})
            if type(call_args) is not tuple or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
                raise ValueError("bad call request")
            return target(*call_args, **kwargs)
        if op in ("getattr", "setattr"):
            name = msg.get("name")
            if type(name) is not str:
                raise ValueError("bad attribute name")
            if op == "getattr":
                return getattr(target, name)
            setattr(target, name, args.get("value"))
            return None
        if op == "len":
            return len(target)
        if op == "getitem":
            return target[args["args"][0]]
        if op == "setitem":
            target[args["args"][0]] = args.get("value")
            return None
        if op == "iter":
            return iter(target)
        if op == "next":
            return next(target)
        if op == "contains":
            return args["args"][0] in target
        if op == "quiz":
            return read_answers(self.ns.get("quiz_answers", _MISSING))
        if op == "forget":
            self.forget()
            return None
        raise ValueError(f"unknown request {op!r}")


_MISSING = object()


def read_answers(obj):
    """``quiz_answers`` as plain data, read with the base types' own methods (no notebook code runs)."""
    import numpy as np

    if obj is _MISSING:
        return {"problem": "no `quiz_answers` defined"}
    if not issubclass(type(obj), dict):      # type(), never isinstance(): `__class__ = dict` fools it
        return {"problem": f"`quiz_answers` should be a dict, not {_type_name(obj)}"}

    def plain(value):
        kind = type(value)
        if value is None or value is Ellipsis:
            return None
        if kind in (bool, int, float, str):
            return value[:200] if kind is str else value
        if issubclass(kind, str):
            return str.__str__(value)[:200]
        if issubclass(kind, bool):
            return bool(int.__int__(value))
        if issubclass(kind, float):
            return float.__float__(value)
        if issubclass(kind, int):
            return int.__int__(value)
        if issubclass(kind, (np.integer, np.floating, np.bool_)):
            item = np.ndarray.item(np.asarray(value))
            return item if type(item) in (bool, int, float) else None
        if issubclass(kind, np.ndarray):
            array = np.ndarray.view(value, np.ndarray)
            if array.ndim == 0 and array.dtype.kind in "biuf":
                return plain(np.ndarray.item(array))
        return f"<a {_type_name(value)}>"

    answers = {}
    for key, value in list(dict.items(obj))[:100]:
        if isinstance(key, str):
            try:
                answers[str.__str__(key)[:100]] = plain(value)
            except Exception:
                answers[str.__str__(key)[:100]] = "<unreadable>"
    return {"answers": answers}


def _copy_font_cache(source: str, target: str | None) -> None:
    """Matplotlib's font list, built once by the grader, saves rebuilding it for every submission."""
    if not target or not os.path.isdir(source):
        return
    try:
        os.makedirs(target, exist_ok=True)
        for name in os.listdir(source):
            with open(os.path.join(source, name), "rb") as f, open(os.path.join(target, name), "wb") as g:
                g.write(f.read())
    except OSError:
        pass


def main() -> None:
    """Entry point inside the sandbox: protocol on the original stdin/stdout, output to /dev/null."""
    rfd, wfd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.set_inheritable(rfd, False)
    os.set_inheritable(wfd, False)
    course = sys.path[0]
    sys.path[:0] = [os.getcwd()]            # %%writefile module.py, then `import module`
    os.environ.setdefault("MPLBACKEND", "Agg")
    _copy_font_cache(os.path.join(course, "mpl"), os.environ.get("MPLCONFIGDIR"))
    child = Child(Channel(rfd, wfd))
    child.start_shell()
    child.serve_forever()
    os._exit(0)
