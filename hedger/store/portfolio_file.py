"""Portfolio files: one JSON document per portfolio.

Format (schema 2)::

    {
      "schema_version": 2,
      "name": "Core stack",
      "holdings": [
        {"symbol": "BTC", "quantity": "0.5", "price": "70000"},
        {"symbol": "SOL", "quantity": "12", "price": "150", "beta": "1.5", "hedge_with": "BTC"}
      ],
      "hedge": {"ratio": "1", "rounding": "nearest", "leverage": "2",
                "families": {"BTC": "CME-BTC"}, "futures_prices": {"BTC": "70000"},
                "futures_price_stamps": {"BTC": {"typed_at": "2026-12-06T10:00:00+00:00",
                                                 "spot": "70100"}},
                "margin_mode": "cross", "rally": "0.3", "account": "professional",
                "per_underlying": {"BTC": {"target_usd": "1500", "collateral_usd": "9000"}}}
    }

Schema 2 added the futures-price stamps (when a futures price was typed and
the spot price then), the margin mode, the rally the collateral plan must
survive, the account class, and per underlying a dollar target, the
collateral kept and the margin mode; the last four and the stamps are
written only when set (or not the default). Schema 2 also holds the hedge
already held: ``positions`` (contract id, signed contracts, entry price,
margin mode, collateral, account, expiry, source), ``drift`` (the band and
alert rules of ``hedger check``, written when not the defaults) and
``journal`` (each accepted change of a position), each written only when
there is something in it. Schema 1 files open unchanged.

Decimals are written as strings; JSON numbers are accepted too and parsed as
Decimal, never as binary floats. Unknown fields are ignored, so files from a
later minor release still open. A file without ``schema_version`` is not a
Hedger portfolio (many JSON files have ``name`` and a list; guessing would
"open" them as empty portfolios and invite overwriting them). An older
``schema_version`` is upgraded on read (``hedger.store.migrations``); a larger
one than this release knows raises ``NewerSchemaError``.

This module owns the shape: ``portfolio_to_dict`` / ``dumps_portfolio`` are
its only writer, ``portfolio_from_dict`` / ``loads_portfolio`` its only reader.

Saving is atomic and keeps the replaced version as ``<name>.json.bak``
(``hedger.store.atomic.backup_path``) and in the backups folder; it holds
the file's lock (``hedger.store.portfolio_sync``). Loading never writes anything.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hedger.core.decimals import fmt_decimal
from hedger.core.models import (
    DEFAULT_RALLY,
    MAX_JOURNAL,
    MAX_POSITIONS,
    PORTFOLIO_SCHEMA_VERSION,
    DriftRules,
    FuturesPriceStamp,
    Holding,
    JournalEntry,
    Portfolio,
    Position,
    UnderlyingSettings,
)
from hedger.store import migrations
from hedger.store.atomic import backup_path
from hedger.store.errors import StoreError, describe_os_error, one_line, shown_name
from hedger.store.jsonfile import JsonProblem, decode_text, parse_json, read_limited

__all__ = [
    "MAX_HOLDINGS",
    "MAX_PORTFOLIO_BYTES",
    "SUPPORTED_SCHEMA_VERSION",
    "NewerSchemaError",
    "PortfolioChangedError",
    "PortfolioFileError",
    "backup_path",
    "book_to_dict",
    "dumps_portfolio",
    "holding_to_dict",
    "load_portfolio",
    "loads_portfolio",
    "portfolio_from_dict",
    "portfolio_to_dict",
    "read_portfolio_bytes",
    "save_portfolio",
    "validation_summary",
]

SUPPORTED_SCHEMA_VERSION = PORTFOLIO_SCHEMA_VERSION
# A 10,000-holding portfolio is about 1 MB; anything near this is not ours.
MAX_PORTFOLIO_BYTES = 50 * 1024 * 1024
# Validation keeps every error; millions of junk rows would cost gigabytes
# before the first message could be shown, so oversized lists are refused first.
MAX_HOLDINGS = 100_000
MAX_MAP_ENTRIES = 10_000


class PortfolioFileError(StoreError):
    """A portfolio file cannot be read or written; str() is one line naming the file."""


class PortfolioChangedError(PortfolioFileError):
    """The file changed on disk since the saver read it; nothing was written."""

    def __init__(self, message: str, current_digest: str) -> None:
        super().__init__(message)
        self.current_digest = current_digest


class NewerSchemaError(PortfolioFileError):
    """The file was written by a newer Hedger with a format this one cannot read."""

    def __init__(self, message: str, found: int, supported: int) -> None:
        super().__init__(message)
        self.found = found
        self.supported = supported


def load_portfolio(path: Path) -> Portfolio:
    """Read and validate a portfolio file. Raises PortfolioFileError."""
    return loads_portfolio(read_portfolio_bytes(path), path.name)


def read_portfolio_bytes(path: Path) -> bytes:
    """The bytes of a portfolio file (bounded, regular files only); PortfolioFileError."""
    # "." and "/" have no name; show the path itself rather than "?".
    name = shown_name(path.name or str(path))
    try:
        return read_limited(path, MAX_PORTFOLIO_BYTES)
    except FileNotFoundError:
        raise PortfolioFileError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise PortfolioFileError(f"{name}: is a folder, not a portfolio file") from None
    except OSError as exc:
        raise PortfolioFileError(f"{name}: cannot be read ({describe_os_error(exc)})") from None
    except JsonProblem as exc:
        raise PortfolioFileError(f"{name}: not a Hedger portfolio ({exc})") from None


def loads_portfolio(text: str | bytes, name_for_errors: str) -> Portfolio:
    """Parse and validate portfolio JSON; ``name_for_errors`` starts every message."""
    name = shown_name(name_for_errors)
    with _gc_paused():
        try:
            if len(text) > MAX_PORTFOLIO_BYTES:
                raise JsonProblem("too large")
            decoded = decode_text(text) if isinstance(text, bytes) else text
            doc = parse_json(decoded)
        except JsonProblem as exc:
            raise PortfolioFileError(f"{name}: not a Hedger portfolio ({exc})") from None
        return portfolio_from_dict(doc, name_for_errors)


def portfolio_from_dict(doc: Any, name_for_errors: str) -> Portfolio:
    """Validate an already parsed document: schema version, upgrade, then the models."""
    name = shown_name(name_for_errors)
    if not isinstance(doc, dict):
        raise PortfolioFileError(
            f"{name}: not a Hedger portfolio (it holds a JSON {_json_kind(doc)}, not an object)"
        )
    version = _schema_version(doc, name)
    chain = migrations.PORTFOLIO
    if version > chain.current:
        exc = migrations.NewerVersionError(version, chain.current)
        raise NewerSchemaError(exc.message(name), found=version, supported=chain.current)
    _check_sizes(doc, name)
    # The caller's document stays as it was; steps may change the copy.
    doc = chain.upgrade({**doc, "schema_version": version}, version)
    try:
        return Portfolio.model_validate(doc)
    except ValidationError as exc:
        raise PortfolioFileError(one_line(f"{name}: {validation_summary(exc)}")) from None


def holding_to_dict(h: Holding) -> dict[str, Any]:
    """One holding in the file shape (beta and hedge_with only when set)."""
    row: dict[str, Any] = {
        "symbol": h.symbol,
        "quantity": fmt_decimal(h.quantity),
        "price": fmt_decimal(h.price),
    }
    if h.beta is not None:
        row["beta"] = fmt_decimal(h.beta)
    if h.hedge_with is not None:
        row["hedge_with"] = h.hedge_with
    return row


def portfolio_to_dict(p: Portfolio) -> dict[str, Any]:
    """The documented file shape, decimals as strings, defaults omitted."""
    s = p.hedge
    hedge: dict[str, Any] = {
        "ratio": fmt_decimal(s.ratio),
        "rounding": s.rounding,
        "leverage": fmt_decimal(s.leverage),
        "families": dict(s.families),
        "futures_prices": {k: fmt_decimal(v) for k, v in s.futures_prices.items()},
    }
    if s.futures_price_stamps:
        hedge["futures_price_stamps"] = {
            u: _stamp_to_dict(stamp) for u, stamp in s.futures_price_stamps.items()
        }
    if s.margin_mode != "isolated":
        hedge["margin_mode"] = s.margin_mode
    if s.rally != DEFAULT_RALLY:
        hedge["rally"] = fmt_decimal(s.rally)
    if s.account != "retail":
        hedge["account"] = s.account
    if s.per_underlying:
        hedge["per_underlying"] = {u: _underlying_to_dict(o) for u, o in s.per_underlying.items()}
    out: dict[str, Any] = {
        "schema_version": PORTFOLIO_SCHEMA_VERSION,
        "name": p.name,
        "holdings": [holding_to_dict(h) for h in p.holdings],
        "hedge": hedge,
    }
    out.update(book_to_dict(p))
    if p.quotes:
        out["quotes"] = {
            k: {
                "price": fmt_decimal(q.price),
                "source": q.source,
                "fetched_at": q.fetched_at.isoformat(),
                "kind": q.kind,
            }
            for k, q in p.quotes.items()
        }
    return out


def book_to_dict(p: Portfolio) -> dict[str, Any]:
    """Schema 2's held hedge: ``positions``, ``drift`` (when not the defaults) and
    ``journal``, each written only when there is something to write."""
    out: dict[str, Any] = {}
    if p.positions:
        out["positions"] = [_position_to_dict(pos) for pos in p.positions]
    drift = p.drift
    if drift != DriftRules():
        out["drift"] = _drift_to_dict(drift)
    if p.journal:
        out["journal"] = [_journal_to_dict(e) for e in p.journal]
    return out


def _position_to_dict(pos: Position) -> dict[str, Any]:
    row: dict[str, Any] = {
        "contract": pos.contract,
        "quantity": fmt_decimal(pos.quantity),
        "entry_price": fmt_decimal(pos.entry_price),
    }
    if pos.margin_mode != "isolated":
        row["margin_mode"] = pos.margin_mode
    if pos.collateral_usd is not None:
        row["collateral_usd"] = fmt_decimal(pos.collateral_usd)
    for key in ("account", "source"):
        value = getattr(pos, key)
        if value is not None:
            row[key] = value
    if pos.expiry is not None:
        row["expiry"] = pos.expiry.isoformat()
    return row


def _drift_to_dict(d: DriftRules) -> dict[str, Any]:
    out: dict[str, Any] = {
        "band_pct": fmt_decimal(d.band_pct),
        "liquidation_within": fmt_decimal(d.liquidation_within),
        "expiry_days": d.expiry_days,
        "price_max_age_hours": d.price_max_age_hours,
    }
    if d.band_usd is not None:
        out["band_usd"] = fmt_decimal(d.band_usd)
    return out


def _journal_to_dict(e: JournalEntry) -> dict[str, Any]:
    row: dict[str, Any] = {
        "at": e.at.isoformat(),
        "kind": e.kind,
        "underlying": e.underlying,
        "contract": e.contract,
        "change": fmt_decimal(e.change),
        "before": fmt_decimal(e.before),
        "after": fmt_decimal(e.after),
        "futures_price": fmt_decimal(e.futures_price),
    }
    if e.spot_price is not None:
        row["spot_price"] = fmt_decimal(e.spot_price)
    if e.account is not None:
        row["account"] = e.account
    if e.text:
        row["text"] = e.text
    return row


def _stamp_to_dict(stamp: FuturesPriceStamp) -> dict[str, Any]:
    out: dict[str, Any] = {"typed_at": stamp.typed_at.isoformat()}
    if stamp.spot is not None:
        out["spot"] = fmt_decimal(stamp.spot)
    return out


def _underlying_to_dict(o: UnderlyingSettings) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if o.ratio is not None:
        entry["ratio"] = fmt_decimal(o.ratio)
    if o.rounding is not None:
        entry["rounding"] = o.rounding
    if o.leverage is not None:
        entry["leverage"] = fmt_decimal(o.leverage)
    if o.target_usd is not None:
        entry["target_usd"] = fmt_decimal(o.target_usd)
    if o.collateral_usd is not None:
        entry["collateral_usd"] = fmt_decimal(o.collateral_usd)
    if o.margin_mode is not None:
        entry["margin_mode"] = o.margin_mode
    return entry


def dumps_portfolio(portfolio: Portfolio) -> str:
    """The file text: readable JSON with one holding per line.

    The same text as rendering ``portfolio_to_dict``; holdings are written
    straight from the models (a 10,000-row book would otherwise build 10,000
    dicts only to encode them).
    """
    with _gc_paused():
        doc = portfolio_to_dict(portfolio.model_copy(update={"holdings": ()}))
        return _render(doc, _holding_rows(portfolio.holdings))


def save_portfolio(
    path: Path,
    portfolio: Portfolio,
    *,
    backup: bool = True,
    expected_digest: str | None = None,
    force: bool = False,
) -> str:
    """Write atomically; with ``backup`` the replaced file is kept as ``<name>.json.bak``.

    Locked, checked and versioned by ``hedger.store.portfolio_sync`` (see
    ``write_portfolio_bytes`` for ``expected_digest`` and ``force``); returns
    the digest of what was written. On failure raises PortfolioFileError and
    the file on disk is unchanged.
    """
    from hedger.store import portfolio_sync

    data = portfolio_sync.encode_portfolio(path, portfolio)
    return portfolio_sync.write_portfolio_bytes(
        path, data, backup=backup, expected_digest=expected_digest, force=force
    )


def validation_summary(exc: ValidationError) -> str:
    """The first problem as ``holdings[2].price: must be greater than 0``, one line."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:  # pragma: no cover - pydantic always reports at least one
        return "invalid"
    first = errors[0]
    where = _loc_text(first.get("loc", ()))
    msg = _friendly(
        str(first.get("msg", "invalid")), str(first.get("type", "")), first.get("ctx") or {}
    )
    text = f"{where}: {msg}" if where else msg
    more = len(errors) - 1
    if more:
        text += f" (and {more} more problem{'s' if more > 1 else ''})"
    return one_line(text)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    # Tens of thousands of new dicts and models would trigger repeated full
    # cyclic-GC passes over the whole heap (large in the GUI); nothing built
    # here forms cycles, so collecting afterwards loses nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _schema_version(doc: dict[str, Any], name: str) -> int:
    if "schema_version" not in doc:
        raise PortfolioFileError(f"{name}: not a Hedger portfolio (no schema_version)")
    raw = doc["schema_version"]
    version: int | None = None
    # The bound keeps int(Decimal("1E+999999")) from building a million digits.
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= _MAX_SCHEMA:
        version = raw
    elif isinstance(raw, Decimal) and raw.is_finite() and 1 <= raw <= _MAX_SCHEMA:
        version = int(raw) if raw == raw.to_integral_value() else None
    if version is None:
        shown = one_line(str(raw) if isinstance(raw, Decimal) else json.dumps(raw), 30)
        raise PortfolioFileError(
            f"{name}: not a Hedger portfolio (schema_version {shown} is not valid)"
        )
    return version


_MAX_SCHEMA = 1_000_000
_HEDGE_MAPS = ("families", "futures_prices", "per_underlying", "futures_price_stamps")


def _check_sizes(doc: dict[str, Any], name: str) -> None:
    holdings = doc.get("holdings")
    if isinstance(holdings, list) and len(holdings) > MAX_HOLDINGS:
        raise PortfolioFileError(
            f"{name}: holdings: {len(holdings):,} rows is more than Hedger opens ({MAX_HOLDINGS:,})"
        )
    for key, limit in (("positions", MAX_POSITIONS), ("journal", MAX_JOURNAL)):
        rows = doc.get(key)
        if isinstance(rows, list) and len(rows) > limit:
            raise PortfolioFileError(f"{name}: {key}: more than {limit:,} entries")
    hedge = doc.get("hedge")
    maps = [("quotes", doc.get("quotes"))]
    if isinstance(hedge, dict):
        maps += [(f"hedge.{key}", hedge.get(key)) for key in _HEDGE_MAPS]
    for where, value in maps:
        if isinstance(value, dict | list) and len(value) > MAX_MAP_ENTRIES:
            raise PortfolioFileError(f"{name}: {where}: more than {MAX_MAP_ENTRIES:,} entries")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false value"
    return "number"


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _loc_text(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            # Pydantic's marker for "the dict key itself was invalid".
            continue
        elif _IDENT.match(part):
            out += f".{part}" if out else part
        else:
            out += "[" + json.dumps(part[:40], ensure_ascii=False) + "]"
    return out


_SHOULD = re.compile(r"^(Input|String|Value|Tuple|List|Dictionary|Decimal|Number) should ")
# parse_decimal's messages start "<what>: "; the location already names it.
_WHAT_PREFIX = re.compile(r"^[a-z][a-z ]{0,24}: ")


_DECIMAL_REPR = re.compile(r"(?:Decimal\(')?(-?\d+(?:\.\d+)?)(?:'\))?")
_BOUNDS = {
    "greater_than": ("gt", "greater than"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
}


def _friendly(msg: str, kind: str, ctx: dict[str, Any]) -> str:
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        # Pydantic reports Decimal bounds as the text "Decimal('200')".
        bound = _DECIMAL_REPR.fullmatch(str(ctx.get(key, "")))
        if bound:
            return f"must be {words} {fmt_decimal(Decimal(bound.group(1)))}"
    if kind == "missing":
        return "missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a JSON object"
    if kind in ("tuple_type", "list_type"):
        return "must be a list"
    if kind == "string_type":
        return "must be text"
    msg = msg.removeprefix("Value error, ")
    if kind == "value_error":
        msg = _WHAT_PREFIX.sub("", msg, count=1)
    return _SHOULD.sub("must ", msg, count=1)


# One holding per line: readable, and a changed row is a one-line diff.
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


# Symbols are validated to these characters, and plain decimals hold only
# digits, "-" and ".": none needs JSON escaping, so a row can be formatted
# directly. Anything else (a model built without validation) goes through
# the JSON encoder.
_SAFE = re.compile(r"[A-Za-z0-9._\-]*")


def _holding_rows(holdings: tuple[Holding, ...]) -> list[str]:
    rows: list[str] = []
    append = rows.append
    safe = _SAFE.fullmatch
    for h in holdings:
        symbol, beta, hedge_with = h.symbol, h.beta, h.hedge_with
        quantity, price = fmt_decimal(h.quantity), fmt_decimal(h.price)
        if not (safe(symbol) and (hedge_with is None or safe(hedge_with))):
            append(_ROW_ENCODER.encode(holding_to_dict(h)))
            continue
        row = f'{{"symbol": "{symbol}", "quantity": "{quantity}", "price": "{price}"'
        if beta is not None:
            row += f', "beta": "{fmt_decimal(beta)}"'
        if hedge_with is not None:
            row += f', "hedge_with": "{hedge_with}"'
        append(row + "}")
    return rows


# Like holdings, one position and one journal entry per line.
_ROW_LISTS = frozenset({"positions", "journal"})


def _render(doc: dict[str, Any], holding_rows: list[str]) -> str:
    parts: list[str] = []
    for key, value in doc.items():
        label = json.dumps(key, ensure_ascii=False)
        if key == "holdings" and holding_rows:
            body = ",\n    ".join(holding_rows)
            parts.append(f"  {label}: [\n    {body}\n  ]")
        elif key in _ROW_LISTS and isinstance(value, list) and value:
            body = ",\n    ".join(_ROW_ENCODER.encode(row) for row in value)
            parts.append(f"  {label}: [\n    {body}\n  ]")
        else:
            body = json.dumps(value, ensure_ascii=False, indent=2)
            parts.append(f"  {label}: " + body.replace("\n", "\n  "))
    return "{\n" + ",\n".join(parts) + "\n}\n"
