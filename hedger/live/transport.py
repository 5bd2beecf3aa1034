"""What keeps one HTTP request bounded, whatever the server does.

``hedger.live.http.JsonClient`` builds on these:

* ``Deadline``: the whole answer (connect, headers, body) within one
  deadline. A socket timeout bounds each read only, and a server sending a
  byte a second never trips it; at the deadline a timer shuts the request's
  socket, which ends any read blocked on it.
* ``opener_for``: a urllib opener whose redirects stay on the venue's host
  over HTTPS (the same host, scheme and port for a local test server): a
  venue answer redirected to localhost, another address or ftp:// is refused.
* ``json_content``: the answer's declared type must be JSON (or plain text,
  which some gateways send); a web page is a captive portal or an error page.
* ``bounded_decimal``: a number's digits and exponent are checked before it
  becomes a Decimal, so ``1e999999999`` (12 bytes, a billion digits when
  printed) is refused in microseconds.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import http.client
    import urllib.request
    from urllib.parse import SplitResult

#: Longest number text a venue may send (prices are ~20 characters).
MAX_NUMBER_CHARS = 40
#: Largest exponent a venue number may carry: prices live within 1e-12 .. 1e15.
MAX_EXPONENT = 30
MAX_REDIRECTS = 3
# re.ASCII: a venue's "٣" (Arabic-Indic three) is no price, though Decimal reads it as 3.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d{1,6}))?", re.ASCII)
_SPECIAL = frozenset({"nan", "inf", "infinity", "-inf", "-infinity", "+inf", "+infinity", "snan"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# Answer types that may hold JSON; anything else (text/html above all) is not an API answer.
_JSON_TYPES = frozenset(
    {"application/json", "text/json", "text/plain", "application/javascript", "text/javascript"}
)
_WATCH_ATTR = "_hedger_deadline"


class RedirectRefused(Exception):
    """The venue redirected somewhere Hedger does not follow; the text says where."""


class Deadline:
    """Ends one request at ``seconds`` from ``start``: a timer shuts its sockets.

    Use as a context manager around the request; ``expired`` says whether
    the timer fired (then whatever the request raised is really a timeout).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()

    def track(self, connection: http.client.HTTPConnection) -> http.client.HTTPConnection:
        with self._lock:
            self._connections.append(connection)
        return connection

    def _expire(self) -> None:
        import socket

        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            sock = connection.sock
            if sock is not None:
                # The plain socket's shutdown, not SSLSocket's: it only ends
                # the stream, so the read blocked on another thread returns.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


def attach(request: urllib.request.Request, deadline: Deadline) -> None:
    setattr(request, _WATCH_ATTR, deadline)


def _deadline_of(request: urllib.request.Request) -> Deadline | None:
    found = getattr(request, _WATCH_ATTR, None)
    return found if isinstance(found, Deadline) else None


def opener_for(origin: SplitResult, *, direct: bool) -> urllib.request.OpenerDirector:
    """An opener for one venue: deadlines on every connection, redirects kept on its host.

    ``direct`` ignores proxies from the environment (a local test server).
    """
    import http.client
    import urllib.request

    def factory(cls: type[http.client.HTTPConnection], req: Any) -> Callable[..., Any]:
        deadline = _deadline_of(req)

        def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            connection = cls(host, **kwargs)
            return connection if deadline is None else deadline.track(connection)

        return make

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(factory(http.client.HTTPConnection, req), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            context = getattr(self, "_context", None)
            return self.do_open(factory(http.client.HTTPSConnection, req), req, context=context)

    handlers: list[urllib.request.BaseHandler] = [Http(), Https(), _redirects(origin)]
    if direct:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def is_loopback(host: str | None) -> bool:
    return host is not None and host.lower() in _LOOPBACK


def _redirect_allowed(origin: SplitResult, target: SplitResult) -> bool:
    if (target.hostname or "").lower() != (origin.hostname or "").lower():
        return False
    if target.scheme == "https":
        return target.port == origin.port or origin.scheme != "https"
    # Plain HTTP only for a local test server, and only to itself.
    return (
        origin.scheme == "http"
        and target.scheme == "http"
        and is_loopback(origin.hostname)
        and target.port == origin.port
    )


def _redirect_class() -> Any:
    import urllib.parse
    import urllib.request

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def __init__(self, origin: SplitResult) -> None:
            super().__init__()
            self.origin = origin

        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> Any:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl))
            if not _redirect_allowed(self.origin, target):
                with contextlib.suppress(Exception):
                    fp.close()
                where = f"{target.scheme}://{target.hostname or '?'}"
                raise RedirectRefused(f"redirected to another address ({where[:60]})")
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            deadline = _deadline_of(req)
            if new is not None and deadline is not None:
                attach(new, deadline)
            return new

    return Redirects


def _redirects(origin: SplitResult) -> urllib.request.BaseHandler:
    handler: urllib.request.BaseHandler = _redirect_class()(origin)
    return handler


def json_content(content_type: str | None) -> str | None:
    """Why an answer of this Content-Type is not JSON, or None when it may be."""
    if content_type is None:
        return None  # not declared: let the parser decide
    kind = content_type.split(";", 1)[0].strip().lower()
    if not kind or kind in _JSON_TYPES or kind.endswith("+json"):
        return None
    return f"sent {kind[:40]}, not JSON"


def bounded_decimal(text: str) -> Decimal | None:
    """``text`` as a Decimal if it is a plain number of sane length and exponent, else None.

    NaN and the infinities come through (as Decimal) so validation names them.
    """
    raw = text.strip()
    if raw.lower() in _SPECIAL:
        return Decimal(raw)
    if len(raw) > MAX_NUMBER_CHARS:
        return None
    match = _NUMBER.fullmatch(raw)
    if match is None:
        return None
    exponent = match.group(1)
    if exponent is not None and abs(int(exponent)) > MAX_EXPONENT:
        return None
    return Decimal(raw)


def json_number(text: str) -> Decimal | str:
    """A JSON number token as Decimal; out of bounds, its text, which no price check reads.

    The answer's other prices stay usable: only this field is refused, as an
    unreadable price with the text shown.
    """
    value = bounded_decimal(text)
    if value is not None:
        return value
    return text if len(text) <= 20 else text[:20] + "…"
