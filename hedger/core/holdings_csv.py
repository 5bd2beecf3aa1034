"""Holdings from spreadsheet text: clipboard pastes and CSV/TSV files.

People copy rows out of Excel, LibreOffice, Google Sheets or an exchange's
export, so the reader accepts tab, comma, semicolon or whitespace separated
text, with or without a header row, and reports every row it cannot use with
its row number and the reason, instead of guessing or dropping it quietly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from hedger.core.bounded_read import FileProblem, TooLarge, read_regular, size_text
from hedger.core.decimals import DecimalParseError, fmt_decimal, parse_decimal
from hedger.core.models import STABLECOINS, Holding, normalise_symbol

FIELDS = ("symbol", "quantity", "price", "beta", "hedge_with")
FIELD_NAMES = {
    "symbol": "symbol",
    "quantity": "quantity",
    "price": "price",
    "beta": "beta",
    "hedge_with": "hedge with",
}
HEADER_LABELS = ("Symbol", "Quantity", "Price", "Beta", "Hedge With")

# Header cells are compared after _header_key(): lower case, punctuation and
# units like "(USD)" removed, runs of spaces collapsed.
HEADER_ALIASES: dict[str, str] = {
    **dict.fromkeys(("symbol", "asset", "coin", "ticker", "token"), "symbol"),
    **dict.fromkeys(
        ("quantity", "qty", "amount", "balance", "units", "holding", "holdings", "total balance"),
        "quantity",
    ),
    **dict.fromkeys(
        (
            "price",
            "spot",
            "last",
            "last price",
            "spot price",
            "usd price",
            "price usd",
            "current price",
            "mark",
            "mark price",
        ),
        "price",
    ),
    **dict.fromkeys(("beta", "beta to underlying", "beta to btc"), "beta"),
    **dict.fromkeys(
        ("hedge with", "hedge", "hedgewith", "hedge underlying", "underlying"), "hedge_with"
    ),
}

# Words that mean "leave it to the app" in the optional columns.
AUTO_WORDS = frozenset({"", "auto", "-", "—", "none", "n/a"})
TOTAL_WORDS = frozenset({"TOTAL", "TOTALS", "SUM", "GRAND_TOTAL"})

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 5 * 1024 * 1024
# A portfolio of more rows than this is a mistake (a price history pasted by
# accident), and reading it all would freeze the editor.
MAX_ROWS = 10_000
FILE_SUFFIXES = (".csv", ".tsv", ".txt")


class HoldingsFileError(ValueError):
    """A holdings file that cannot be read at all; the message is for people."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One unusable row: its number as the spreadsheet shows it (1 = first line)."""

    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass(slots=True)
class HoldingsParseResult:
    holdings: list[Holding] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    has_header: bool = False
    delimiter: str | None = None  # None: columns split on spaces
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rows_seen(self) -> int:
        return len(self.holdings) + len(self.errors)

    @property
    def is_empty(self) -> bool:
        """Nothing that looked like a row at all (blank text, or a header only)."""
        return not self.holdings and not self.errors

    @property
    def all_bad(self) -> bool:
        return not self.holdings and bool(self.errors)

    def summary(self, limit: int = 5) -> str:
        """One line: '3 rows imported; 2 rows skipped: row 4: price 'abc' ...'."""
        parts = [_count(len(self.holdings), "row") + " imported"]
        if self.errors:
            listed = "; ".join(str(e) for e in self.errors[:limit])
            more = len(self.errors) - limit
            if more > 0:
                listed += f"; and {more:,} more"
            parts.append(f"{_count(len(self.errors), 'row')} skipped: {listed}")
        return "; ".join(parts)

    def details(self) -> str:
        """Every problem on its own line, for a dialog's details area."""
        lines = [str(e) for e in self.errors]
        if self.ignored_columns:
            cols = ", ".join(repr(c) for c in self.ignored_columns)
            lines.append(f"columns ignored: {cols}")
        return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


# -- reading --------------------------------------------------------------


def parse_holdings_text(text: str) -> HoldingsParseResult:
    """Holdings from pasted or file text; bad rows become RowErrors."""
    result = HoldingsParseResult()
    if len(text) > MAX_TEXT_CHARS:
        result.errors.append(
            RowError(1, None, f"text is too long ({len(text):,} characters; limit 5 MB)")
        )
        return result
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        result.errors.append(RowError(1, None, "this is not text (it contains NUL bytes)"))
        return result
    delimiter = detect_delimiter(text)
    result.delimiter = delimiter
    try:
        rows = list(_rows(text, delimiter))
    except csv.Error as exc:
        result.errors.append(RowError(1, None, f"cannot read the text as a table: {exc}"))
        return result
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        return result
    # "1,000" alone is 1000 or 1.000; a table that writes other numbers with a
    # dot for decimals (0.45, 14.5, 1,234.50) settles it as thousands.
    thousands = any(_ENGLISH_DECIMAL.fullmatch(c.strip()) for _, cells in rows for c in cells)

    first_line, first_cells = rows[0]
    columns = _header_columns(first_cells)
    if columns is not None:
        result.has_header = True
        result.ignored_columns = [
            c.strip() for c, f in zip(first_cells, columns, strict=True) if f is None and c.strip()
        ]
        missing = [FIELD_NAMES[f] for f in ("symbol", "quantity") if f not in columns]
        if missing:
            names = " and ".join(missing)
            result.errors.append(
                RowError(
                    first_line,
                    None,
                    f"the header row has no {names} column (expected e.g. Symbol, Quantity, Price)",
                )
            )
            return result
        rows = rows[1:]
    for count, (line, cells) in enumerate(rows):
        if count >= MAX_ROWS:
            result.errors.append(
                RowError(line, None, f"only the first {MAX_ROWS:,} rows are read; the rest skipped")
            )
            break
        holding = _parse_row(line, cells, columns, delimiter, result.errors, thousands)
        if holding is not None:
            result.holdings.append(holding)
    return result


def detect_delimiter(text: str) -> str | None:
    """Tab (spreadsheet clipboards), semicolon (European CSV), comma, or None.

    None means no separator at all: columns are split on runs of spaces, so
    'BTC 0.5 70000' typed by hand works too.
    """
    lines = [line for line in text.split("\n", 50)[:50] if line.strip()]
    if any("\t" in line for line in lines):
        return "\t"
    semis = [_count_outside_quotes(line, ";") for line in lines]
    # "3,500" in "ETH 4 3,500" is a thousands separator, not a column break.
    commas = [_count_outside_quotes(_THOUSANDS.sub("", line), ",") for line in lines]
    # A semicolon in every line wins even when numbers carry commas: that is
    # what Excel writes in locales whose decimal mark is a comma.
    if lines and all(semis):
        return ";"
    if any(commas):
        return ","
    if any(semis):
        return ";"
    return None


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _count_outside_quotes(line: str, char: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            n += 1
    return n


def _rows(text: str, delimiter: str | None) -> Iterator[tuple[int, list[str]]]:
    if delimiter is None:
        for number, line in enumerate(text.split("\n"), start=1):
            yield number, line.split()
        return
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    previous_end = 0
    for cells in reader:
        # A quoted field may span lines; report the line the row starts on.
        yield previous_end + 1, cells
        previous_end = reader.line_num


def _header_key(cell: str) -> str:
    key = cell.strip().strip('"').lower()
    key = re.sub(r"\(.*?\)|\[.*?\]", " ", key)
    key = re.sub(r"[_\-/.:#$]+", " ", key)
    return " ".join(key.split())


def _header_columns(cells: Sequence[str]) -> list[str | None] | None:
    """Field per column when the row is a header, else None."""
    fields = [HEADER_ALIASES.get(_header_key(c)) for c in cells]
    known = [f for f in fields if f is not None]
    if not known:
        return None
    # "BTC, 0.5, 70000" never has two header words; a one-word match such as
    # a coin called "COIN" counts only when no cell holds a number.
    if len(known) < 2 and any(_looks_numeric(c) for c in cells):
        return None
    seen: set[str] = set()
    columns: list[str | None] = []
    for f in fields:
        # The first of duplicated columns wins; later ones are ignored.
        columns.append(f if f is not None and f not in seen else None)
        if f is not None:
            seen.add(f)
    return columns


# A dot decimal no German reader would take for a thousands dot: after comma
# groups, after a leading 0, or not followed by exactly three digits.
_ENGLISH_DECIMAL = re.compile(r"[+-]?\$?(\d{1,3}(,\d{3})+\.\d+|0?\.\d+|\d+\.(\d{1,2}|\d{4,}))")


def _looks_numeric(cell: str) -> bool:
    try:
        # An ambiguous "1,000" is a number either way.
        parse_decimal(cell, thousands_commas=True)
    except DecimalParseError:
        return False
    return True


def _parse_row(
    line: int,
    cells: list[str],
    columns: list[str | None] | None,
    delimiter: str | None,
    errors: list[RowError],
    thousands_commas: bool = False,
) -> Holding | None:
    values = _row_values(line, [c.strip() for c in cells], columns, delimiter)
    if isinstance(values, RowError):
        errors.append(values)
        return None
    data = _row_fields(line, values, thousands_commas)
    if isinstance(data, RowError):
        errors.append(data)
        return None
    try:
        return Holding.model_validate(data)
    except ValidationError as exc:
        col, reason = _validation_reason(exc)
        errors.append(RowError(line, col, reason))
        return None


def _row_values(
    line: int, cells: list[str], columns: list[str | None] | None, delimiter: str | None
) -> dict[str, str] | RowError:
    """The row's text by field: by position without a header, else by the header's columns."""
    if columns is None:
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > len(FIELDS):
            return RowError(
                line,
                None,
                f"{len(cells)} values, expected symbol, quantity, price, beta, hedge with"
                + _quote_hint(delimiter),
            )
        return dict(zip(FIELDS, cells, strict=False))
    extra = [c for c in cells[len(columns) :] if c]
    if extra:
        return RowError(
            line,
            None,
            f"{len(cells)} values but the header has {len(columns)} columns"
            + _quote_hint(delimiter),
        )
    return {f: c for f, c in zip(columns, cells, strict=False) if f is not None}


def _row_fields(
    line: int, values: dict[str, str], thousands_commas: bool
) -> dict[str, object] | RowError:
    """The holding's fields from the row's text; the first unreadable one as an error."""
    symbol_text = values.get("symbol", "")
    if not symbol_text:
        return RowError(line, "symbol", "symbol is missing")
    try:
        symbol = normalise_symbol(symbol_text)
    except ValueError as exc:
        return RowError(line, "symbol", str(exc))
    if symbol in TOTAL_WORDS:
        return RowError(line, "symbol", f"{symbol_text!r} looks like a totals row, not a holding")
    data: dict[str, object] = {"symbol": symbol}
    for name in ("quantity", "price"):
        text = values.get(name, "")
        if not text:
            if name == "price" and symbol in STABLECOINS:
                # A stablecoin is worth a dollar; nobody types its price.
                data["price"] = Decimal(1)
                continue
            return RowError(line, name, f"{name} is missing")
        try:
            data[name] = parse_decimal(text, what=name, thousands_commas=thousands_commas)
        except DecimalParseError as exc:
            return RowError(line, name, _number_reason(name, text, exc))
    beta_text = values.get("beta", "")
    if beta_text.lower() not in AUTO_WORDS:
        try:
            data["beta"] = parse_decimal(beta_text, what="beta", thousands_commas=thousands_commas)
        except DecimalParseError as exc:
            return RowError(line, "beta", _number_reason("beta", beta_text, exc))
    hedge_text = values.get("hedge_with", "")
    if hedge_text.lower() not in AUTO_WORDS:
        try:
            data["hedge_with"] = normalise_symbol(hedge_text)
        except ValueError as exc:
            return RowError(line, "hedge_with", str(exc).replace("symbol", "hedge with", 1))
    return data


def _quote_hint(delimiter: str | None) -> str:
    if delimiter == ",":
        return ' (put numbers with thousands separators in quotes: "1,234.5")'
    return ""


def _number_reason(name: str, text: str, exc: DecimalParseError) -> str:
    message = str(exc)
    prefix = f"{name}: "
    if message.startswith(prefix):
        message = f"{name} {message[len(prefix) :]}"
    # "price 'abc' is not a plain decimal number" reads better as "not a number".
    return message.replace("is not a plain decimal number", "is not a number")


def _validation_reason(exc: ValidationError) -> tuple[str | None, str]:
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
    column = loc[-1] if loc else None
    name = FIELD_NAMES.get(column or "", column or "value")
    ctx = err.get("ctx") or {}
    bounds = {
        "greater_than": ("gt", "greater than"),
        "greater_than_equal": ("ge", "at least"),
        "less_than": ("lt", "less than"),
        "less_than_equal": ("le", "at most"),
    }
    bound = bounds.get(str(err.get("type")))
    if bound is not None and bound[0] in ctx:
        return column, f"{name} must be {bound[1]} {_plain(ctx[bound[0]])}"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return column, msg if msg.startswith(name) else f"{name} {msg}"


def _plain(value: object) -> str:
    # Pydantic may hand bounds over as the repr "Decimal('20')".
    text = str(value)
    match = re.fullmatch(r"Decimal\('([^']*)'\)", text)
    return match.group(1) if match else text


# -- files ------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Text from file bytes: UTF-8 (BOM tolerated), UTF-16 with BOM, else Windows-1252.

    Excel's "Unicode text" export is UTF-16 with a BOM; its plain "CSV" in
    Western locales is Windows-1252, a superset of latin-1 for text.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise HoldingsFileError("the file says UTF-16 but is not valid UTF-16") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_holdings_file(path: Path) -> HoldingsParseResult:
    """Read and parse a CSV/TSV/text file; HoldingsFileError when unreadable.

    Only a regular file is read, its size counted while reading
    (``core.bounded_read``): a FIFO or /dev/zero dropped on the window must
    not freeze it or fill the memory.
    """
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise HoldingsFileError(f"{path.name}: file not found") from None
    except IsADirectoryError:
        raise HoldingsFileError(f"{path.name} is a folder, not a file") from None
    except TooLarge:
        limit = size_text(MAX_FILE_BYTES)
        raise HoldingsFileError(
            f"{path.name} is too large: holdings files are limited to {limit}"
        ) from None
    except FileProblem as exc:
        raise HoldingsFileError(f"{path.name}: {exc}") from None
    except OSError as exc:
        raise HoldingsFileError(f"{path.name}: {exc.strerror or exc}") from None
    text = decode_text(data)
    if "\x00" in text:
        raise HoldingsFileError(f"{path.name} is not a text file")
    return parse_holdings_text(text)


# -- writing -----------------------------------------------------------------


def format_holdings_text(
    holdings: Iterable[Holding], delimiter: str = "\t", header: bool = True
) -> str:
    """Rows a spreadsheet (and parse_holdings_text) reads back unchanged."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(HEADER_LABELS)
    for h in holdings:
        writer.writerow(
            [
                h.symbol,
                fmt_decimal(h.quantity),
                fmt_decimal(h.price),
                "" if h.beta is None else fmt_decimal(h.beta),
                h.hedge_with or "",
            ]
        )
    return out.getvalue()
