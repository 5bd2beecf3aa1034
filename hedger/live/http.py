"""A small JSON-over-HTTP client for public venue endpoints.

Every request has a timeout, a bounded number of retries with backoff (only
for failures that may pass: timeouts, dropped connections, 5xx answers), a
size cap and a User-Agent. Failures become ``PriceSourceError`` with one line
a person can read in a status bar.

A timeout is not retried: a venue that did not answer in five seconds rarely
answers the second time, and the next venue is the better retry. A refresh
may also set a ``request_budget``: a wall-clock limit and a stop check that
every request of that refresh, on any venue, respects.

The timeout bounds the whole answer, not each read (a server dripping a
byte a second is cut off at the deadline); redirects stay on the venue's
host over HTTPS; an answer that declares itself a web page is refused; and
every number's digits and exponent are checked before it becomes a Decimal
(``hedger.live.transport``). Each refusal is a ``PriceSourceError`` or an
unreadable price, never an internal error.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import urllib.error

from hedger import __version__

USER_AGENT = f"Hedger/{__version__} (desktop hedge calculator; public market data)"
DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.5
# A ticker answer is well under 1 KB; a megabyte means something else answered.
MAX_RESPONSE_BYTES = 1_000_000
MAX_RETRIES = 5

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class PriceSourceError(Exception):
    """A venue gave no usable answer; ``str()`` is one line fit for a status bar."""


class VenueUnreachable(PriceSourceError):
    """No answer at all (connection, timeout, server errors after retries).

    A refresh does not ask such a venue again for its other prices.
    """


class RefreshStopped(PriceSourceError):
    """The person stopped the refresh; no further request was made."""


class RefreshTimeLimit(PriceSourceError):
    """The refresh's total time limit ran out before this request."""

    def __init__(self, venue: str, reason: str) -> None:
        super().__init__(f"{venue} not asked: {reason}")
        self.reason = reason


class VenueHttpError(PriceSourceError):
    """The venue answered with a 4xx status; ``payload`` is its parsed JSON body, if any.

    ``retry_after`` is the venue's ``Retry-After`` in seconds (418/429), if it sent one.
    """

    def __init__(
        self, message: str, status: int, payload: Any, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload
        self.retry_after = retry_after


class _Retryable(Exception):
    """A failure that may pass on a second try; the text is the reason shown."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.retry = retry


# Below this much time left a request cannot complete; do not start it.
_MIN_REQUEST_SECONDS = 0.05


class RequestBudget:
    """Wall-clock limit and stop check shared by every request of one refresh."""

    def __init__(
        self, seconds: float | None, should_stop: Callable[[], bool] | None = None
    ) -> None:
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.should_stop = should_stop or (lambda: False)

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def check(self, venue: str) -> None:
        """Raise if no further request may start."""
        if self.should_stop():
            raise RefreshStopped(f"{venue}: not asked, the refresh was stopped")
        left = self.remaining()
        if left is not None and left < _MIN_REQUEST_SECONDS:
            assert self.seconds is not None
            raise RefreshTimeLimit(
                venue, f"the refresh's {fmt_seconds(self.seconds)} time limit was reached"
            )

    def timeout(self, wanted: float) -> float:
        left = self.remaining()
        return wanted if left is None else max(_MIN_REQUEST_SECONDS, min(wanted, left))


_NO_BUDGET = RequestBudget(None)
_budget: contextvars.ContextVar[RequestBudget] = contextvars.ContextVar(
    "hedger_request_budget", default=_NO_BUDGET
)


@contextlib.contextmanager
def request_budget(
    seconds: float | None, should_stop: Callable[[], bool] | None = None
) -> Iterator[RequestBudget]:
    """Bound every request made inside the block (on this thread) by one deadline."""
    budget = RequestBudget(seconds, should_stop)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def current_budget() -> RequestBudget:
    return _budget.get()


def clip(text: object, limit: int = 120) -> str:
    """Venue-supplied text made safe for one line: no control characters, bounded."""
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def fmt_seconds(seconds: float) -> str:
    return f"{round(seconds, 1):g} s"


@dataclass(frozen=True, slots=True)
class HttpSettings:
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    max_bytes: int = MAX_RESPONSE_BYTES

    def __post_init__(self) -> None:
        if not 0 < self.timeout <= 120:
            raise ValueError("timeout must be between 0 and 120 seconds")
        if not 0 <= self.retries <= MAX_RETRIES:
            raise ValueError(f"retries must be between 0 and {MAX_RETRIES}")
        if self.backoff < 0:
            raise ValueError("backoff must not be negative")


def loads_decimal_json(body: bytes) -> Any:
    """JSON with every number as Decimal: prices never pass through binary floats.

    ``NaN`` and ``Infinity`` (which Python's parser accepts) become Decimal
    too, so validation sees and rejects them instead of a float slipping by.
    A number too long or with too large an exponent stays text (see
    ``transport.json_number``), which no price check reads as a number.
    """
    from hedger.live.transport import json_number

    return json.loads(
        body.decode("utf-8"),
        parse_float=json_number,
        parse_int=json_number,
        parse_constant=Decimal,
    )


class JsonClient:
    """GET JSON from one venue's base URL."""

    def __init__(
        self,
        venue: str,
        base_url: str,
        settings: HttpSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # The network stack (urllib, http.client, ssl) loads with the first
        # client, not with this module: the venue registry imports it, and the
        # GUI reads the registry at start-up.
        import urllib.parse
        import urllib.request

        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise PriceSourceError(
                f"{venue}: base URL {clip(base_url, 60)!r} must start with http:// or https://"
            )
        from hedger.live.transport import opener_for

        self.venue = venue
        self.base_url = base_url.rstrip("/")
        self.settings = settings or HttpSettings()
        self._sleep = sleep
        # A proxy from the environment must not capture a local test server.
        self._opener = opener_for(parsed, direct=parsed.hostname in _LOOPBACK)

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        import urllib.parse

        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        s = self.settings
        budget = current_budget()
        tries = s.retries + 1
        reason = "no answer"
        made = 0
        for attempt in range(tries):
            if attempt:
                try:
                    budget.check(self.venue)
                except (RefreshStopped, RefreshTimeLimit):
                    break  # report what the tries so far found
            else:
                budget.check(self.venue)
            made += 1
            try:
                return self._get_once(url, budget.timeout(s.timeout))
            except _Retryable as exc:
                reason = str(exc)
                if not exc.retry:
                    break
            if attempt + 1 < tries:
                pause = s.backoff * (2**attempt)
                left = budget.remaining()
                self._sleep(pause if left is None else max(0.0, min(pause, left)))
        suffix = f" ({made} tries)" if made > 1 else ""
        raise VenueUnreachable(f"{self.venue} unreachable: {reason}{suffix}")

    def _get_once(self, url: str, timeout: float) -> Any:
        import http.client
        import urllib.error
        import urllib.request

        from hedger.live.transport import Deadline, RedirectRefused, attach

        req = urllib.request.Request(
            url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
        )
        deadline = Deadline(timeout)
        attach(req, deadline)
        # Everything, an error answer's body included, is read before the deadline.
        with deadline:
            try:
                with self._opener.open(req, timeout=timeout) as resp:
                    self._check_type(resp)
                    body = self._read(resp, deadline)
            except RedirectRefused as exc:
                raise PriceSourceError(f"{self.venue} answer refused: {exc}") from None
            except urllib.error.HTTPError as exc:
                if deadline.expired:
                    raise _timed_out(timeout) from None
                self._raise_for_status(exc)
            except urllib.error.URLError as exc:
                raise self._retryable(exc.reason, timeout, deadline.expired) from None
            except (OSError, http.client.HTTPException) as exc:
                raise self._retryable(exc, timeout, deadline.expired) from None
        try:
            return loads_decimal_json(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise PriceSourceError(f"{self.venue} sent an unreadable answer (not JSON)") from None

    def _check_type(self, resp: Any) -> None:
        from hedger.live.transport import json_content

        problem = json_content(resp.headers.get("Content-Type"))
        if problem is not None:
            raise PriceSourceError(f"{self.venue} {problem}; answer refused")

    def _read(self, resp: Any, deadline: Any) -> bytes:
        # read1 returns what has arrived (one socket read at most), so the
        # loop sees every chunk; the deadline's timer ends a read that waits
        # on a server dripping bytes, and the body is then no answer at all.
        s = self.settings
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = resp.read1(65536)
            if deadline.expired:
                raise _timed_out(deadline.seconds)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > s.max_bytes:
                raise PriceSourceError(
                    f"{self.venue} sent an answer too large to be a price "
                    f"(over {s.max_bytes // 1000} KB)"
                )
            chunks.append(chunk)

    def _raise_for_status(self, exc: urllib.error.HTTPError) -> NoReturn:
        import http.client

        status = exc.code
        if status >= 500:
            raise _Retryable(f"HTTP {status} {clip(exc.reason, 40)}".rstrip()) from None
        payload: Any = None
        try:
            body = exc.read(self.settings.max_bytes)
            payload = loads_decimal_json(body)
        except (OSError, ValueError, RecursionError, http.client.HTTPException):
            # A refusal's body is only a hint: nested past the parser, it is none.
            payload = None
        if status in (418, 429):
            raise VenueHttpError(
                f"{self.venue} is limiting requests (HTTP {status}); try again in a minute",
                status,
                payload,
                _retry_after(exc.headers.get("Retry-After") if exc.headers else None),
            ) from None
        detail = _error_detail(payload) or clip(exc.reason, 60)
        raise VenueHttpError(
            f"{self.venue} refused the request (HTTP {status}: {detail})", status, payload
        ) from None

    def _retryable(self, reason: object, timeout: float, expired: bool = False) -> _Retryable:
        if expired or isinstance(reason, TimeoutError):
            return _timed_out(timeout)
        return _Retryable(self._describe(reason))

    def _describe(self, reason: object) -> str:
        import http.client
        import socket
        import ssl

        if isinstance(reason, ConnectionRefusedError):
            return "connection refused"
        if isinstance(reason, socket.gaierror):
            return "host not found (is the computer online?)"
        if isinstance(reason, ssl.SSLError):
            return "secure connection failed"
        if isinstance(reason, ConnectionResetError | http.client.RemoteDisconnected):
            return "connection closed by the server"
        if isinstance(reason, http.client.HTTPException):
            return f"bad HTTP answer ({type(reason).__name__})"
        if isinstance(reason, OSError) and reason.strerror:
            return clip(reason.strerror.lower(), 80)
        return clip(reason, 80) or type(reason).__name__


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (Binance sends whole seconds); None if absent or a date."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 1e7 else None


def _timed_out(seconds: float) -> _Retryable:
    return _Retryable(f"timed out after {fmt_seconds(seconds)}", retry=False)


def _error_detail(payload: Any) -> str:
    """The venue's own error text from a JSON error body (Binance, Coinbase, OKX)."""
    if isinstance(payload, dict):
        for key in ("msg", "message", "error"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                return clip(value, 80)
    return ""
