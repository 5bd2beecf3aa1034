"""A read-only API key for an exchange: kept in the OS keyring, never in a file."""

from __future__ import annotations

from typing import NamedTuple


class Credentials(NamedTuple):
    """An exchange API key, its secret and (OKX, Coinbase) passphrase.

    ``repr`` and ``str`` never show the secret parts: a key must not end up
    in a log, a traceback or a message.
    """

    api_key: str
    secret: str
    password: str | None = None

    def __repr__(self) -> str:
        shown = self.api_key[:4] + "…" if len(self.api_key) > 8 else "…"
        return f"Credentials(api_key={shown!r}, secret=***)"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The texts to scrub from any message that could echo them."""
        return tuple(s for s in (self.api_key, self.secret, self.password) if s)

    def scrub(self, text: str) -> str:
        for s in self.secrets:
            if len(s) >= 4:
                text = text.replace(s, "***")
        return text
