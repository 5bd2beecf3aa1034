"""Read-only exchange API keys in the operating system's keyring, never in a file.

The ``keyring`` package (part of ``pip install "hedger[live]"``) talks to the
system's secret store: Secret Service (GNOME Keyring, KWallet) on Linux, the
Keychain on macOS, the Credential Locker on Windows. Hedger writes no key into
a portfolio, the settings, a log or anything else under its data folder.

One entry per exchange and account label: service ``hedger``, user name
``<exchange>/<account>``, the password a small JSON object. Tests (and a
program embedding Hedger) hand in any object with keyring's three calls via
``use_backend``.
"""

from __future__ import annotations

import importlib
import json
from typing import Any, Protocol

from hedger.core.credentials import Credentials
from hedger.store.errors import StoreError

SERVICE = "hedger"
INSTALL_HINT = (
    'keeping API keys needs the keyring package; install it with: pip install "hedger[live]"'
)


class KeyStoreError(StoreError):
    """The keyring is missing or refused; str() is one line saying what to do."""


class Backend(Protocol):
    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


_backend: Backend | None = None


def use_backend(backend: Backend | None) -> None:
    """Keep keys in ``backend`` instead of the system keyring (None: the system's again)."""
    global _backend
    _backend = backend


def available() -> bool:
    """Whether keys can be kept: a backend was given or keyring imports."""
    if _backend is not None:
        return True
    try:
        _keyring()
    except KeyStoreError:
        return False
    return True


def _keyring() -> Any:
    try:
        return importlib.import_module("keyring")
    except ImportError:
        raise KeyStoreError(INSTALL_HINT) from None


def _store() -> Backend:
    return _backend if _backend is not None else _keyring()


def _user(exchange: str, account: str | None) -> str:
    return f"{exchange.strip().lower()}/{(account or 'default').strip()}"


def save_credentials(exchange: str, account: str | None, credentials: Credentials) -> None:
    payload = {"apiKey": credentials.api_key, "secret": credentials.secret}
    if credentials.password:
        payload["password"] = credentials.password
    try:
        _store().set_password(SERVICE, _user(exchange, account), json.dumps(payload))
    except KeyStoreError:
        raise
    except Exception as exc:  # every keyring backend has its own errors
        raise KeyStoreError(f"the system keyring refused the key ({type(exc).__name__})") from None


def load_credentials(exchange: str, account: str | None) -> Credentials | None:
    """The key kept for ``exchange`` and ``account``; None when none is."""
    try:
        raw = _store().get_password(SERVICE, _user(exchange, account))
    except KeyStoreError:
        raise
    except Exception as exc:
        raise KeyStoreError(
            f"the system keyring could not be read ({type(exc).__name__})"
        ) from None
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
        return Credentials(str(doc["apiKey"]), str(doc["secret"]), doc.get("password") or None)
    except (ValueError, KeyError, TypeError):
        raise KeyStoreError(
            f"the key kept for {_user(exchange, account)} is damaged; enter it again"
        ) from None


def delete_credentials(exchange: str, account: str | None) -> bool:
    """Forget the key; False when there was none."""
    store = _store()
    user = _user(exchange, account)
    try:
        if store.get_password(SERVICE, user) is None:
            return False
        store.delete_password(SERVICE, user)
    except Exception as exc:
        raise KeyStoreError(f"the system keyring refused ({type(exc).__name__})") from None
    return True
