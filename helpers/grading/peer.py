"""One end of the call protocol: requests with nested serving, handles, error replies.

Both the grader (``remote.py``) and the sandboxed child (``child.py``) are a
``Peer``. ``request`` sends one request and, while it waits for the reply,
serves the requests the other side makes in between (the student's function
calling a function the check passed to it, which calls back, ...).
"""

from __future__ import annotations

from .protocol import Channel, Codec, ProtocolError, buffer_index, pack

MAX_HANDLES = 200_000


class RemoteFailure(Exception):
    """Raised by a request whose remote execution raised: carries the remote type name and message."""

    def __init__(self, type_name: str, message: str, flags: dict):
        super().__init__(message)
        self.type_name, self.message, self.flags = type_name, message, flags


class Peer:
    side = "?"

    def __init__(self, channel: Channel):
        self.channel = channel
        self.codec = Codec(self.side, self.export, self.make_proxy, self.resolve)
        self.objects: dict[int, object] = {}    # our handle id -> our object
        self.handle_of: dict[int, int] = {}     # id(our object) -> handle id
        self.proxies: dict[int, object] = {}    # their handle id -> our proxy
        self.seq = 0

    # -- to be refined by each side --------------------------------------------

    def deadline(self):
        return None

    def describe(self, obj) -> dict:
        """The handle description of one of our objects (kind, type name, signature)."""
        return {"k": "object"}

    def proxy_for(self, info: dict):
        raise ProtocolError("this side accepts no handles")

    def is_proxy(self, obj) -> int | None:
        return None

    def dispatch(self, op: str, msg: dict, args: dict):
        raise ProtocolError(f"unknown request {op!r}")

    def error_reply(self, exc: BaseException) -> dict:
        return {"t": type(exc).__name__, "m": str(exc)[:2000]}

    def is_fatal(self, exc: BaseException) -> bool:
        """True for what must stop this side instead of going back as an error reply."""
        return isinstance(exc, ProtocolError)

    def extra_reply(self) -> dict:
        return {}

    def on_reply(self, msg: dict) -> None:
        pass

    def raise_failure(self, msg: dict):
        raise RemoteFailure(str(msg.get("t", "Exception"))[:100], str(msg.get("m", ""))[:2000],
                            msg.get("f") if isinstance(msg.get("f"), dict) else {})

    # -- handles ---------------------------------------------------------------

    def export(self, obj) -> dict:
        theirs = self.is_proxy(obj)
        if theirs is not None:
            return {"~": "r", "id": theirs}
        hid = self.handle_of.get(id(obj))
        if hid is None or self.objects.get(hid) is not obj:
            if len(self.objects) >= MAX_HANDLES:
                raise ValueError("too many objects handed out")
            hid = len(self.objects) + 1
            while hid in self.objects:
                hid += 1
            self.objects[hid] = obj
            self.handle_of[id(obj)] = hid
        return {"~": "h", "id": hid, **self.describe(obj)}

    def make_proxy(self, info: dict):
        hid = info.get("id")
        if type(hid) is not int:
            raise ProtocolError("bad handle")
        proxy = self.proxies.get(hid)
        if proxy is None:
            if len(self.proxies) >= MAX_HANDLES:     # each proxy (a class, even) is kept until `forget`
                raise ProtocolError("too many objects handed over")
            proxy = self.proxies[hid] = self.proxy_for(info)
        return proxy

    def resolve(self, hid):
        if type(hid) is not int or hid not in self.objects:
            raise ProtocolError("reference to an unknown handle")
        return self.objects[hid]

    def forget(self) -> None:
        """Drop every handle and mirrored array (between exercises)."""
        self.objects.clear()
        self.handle_of.clear()
        self.proxies.clear()
        self.codec.reset()

    # -- messages --------------------------------------------------------------

    def request(self, op: str, header: dict | None = None, **values):
        self.seq += 1
        mine = self.seq
        header, buffers = pack(self.codec, {**(header or {}), "op": op, "id": mine}, values)
        self.channel.send(header, buffers, self.deadline())
        while True:
            msg, blob = self.channel.recv(self.deadline())
            index = buffer_index(msg, blob)
            self.codec.apply_changes(msg.get("sync", []), blob, index)
            if msg.get("op") != "reply":
                self.serve(msg, blob, index)
                continue
            if msg.get("id") != mine:
                raise ProtocolError("reply to a request that was not made")
            self.on_reply(msg)
            if msg.get("ok") is True:
                return self.codec.decode(msg.get("value"), blob, index)
            self.raise_failure(msg)

    def serve(self, msg: dict, blob: bytes, index: list) -> None:
        header, buffers = self.answer(msg, blob, index)
        self.channel.send(header, buffers, self.deadline())

    def answer(self, msg: dict, blob: bytes, index: list) -> tuple[dict, list]:
        """The reply to one request, packed but not yet sent."""
        op = msg.get("op")
        if type(op) is not str:
            raise ProtocolError("bad request")
        reply = {"op": "reply", "id": msg.get("id"), "ok": True}
        values = {}
        try:
            args = {k: self.codec.decode(msg.get(k), blob, index) for k in ("target", "args", "kwargs", "value")
                    if k in msg}
            values["value"] = self.dispatch(op, msg, args)
            reply.update(self.extra_reply())
            header, buffers = pack(self.codec, reply, values)
        except BaseException as exc:  # noqa: B902 - whatever the served code raised goes back as data
            if self.is_fatal(exc):
                raise
            header, buffers = pack(self.codec, {"op": "reply", "id": msg.get("id"), "ok": False,
                                                **self.extra_reply(), **self.error_reply(exc)}, {})
        return header, buffers
