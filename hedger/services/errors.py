"""What the services raise for people to read (command line and desktop app)."""

from __future__ import annotations

from hedger.store.errors import StoreError


class ServiceError(Exception):
    """Bad input or a refused change; ``str()`` is one line fit to show the user."""


#: Problems a front end reports as bad input rather than as a fault: the
#: services' own and the stores' file problems (unreadable, damaged, unsaved).
USER_ERRORS: tuple[type[Exception], ...] = (ServiceError, StoreError)

__all__ = ["USER_ERRORS", "ServiceError", "StoreError"]
