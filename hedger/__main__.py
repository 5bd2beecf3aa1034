"""`hedger` and `python -m hedger`: the GUI without a subcommand, else the CLI."""

from __future__ import annotations

import importlib
import os
import sys
import types

_PLUGIN_LOADER = "pydantic.plugin._loader"


def main(argv: list[str] | None = None) -> int:
    # Hedger's arrays are small: OpenBLAS's per-core worker threads only
    # slow start-up. The user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Hedger uses no pydantic plugins, and a stray one installed beside it
    # has no business seeing (or changing) how portfolio files validate.
    # Looking for them scans every installed package's entry points: 5-20 ms
    # of each start. The user's own setting wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    skip_plugin_loader()
    from hedger.cli import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


def skip_plugin_loader() -> None:
    """With every pydantic plugin disabled, answer "no plugins" without loading the loader.

    Merely importing pydantic's plugin loader imports ``importlib.metadata``
    (and the email package under it): about 20 ms of every start, for an
    answer that is already known to be "none". The stand-in answers that one
    question; any other name pydantic may ask of the module (a later version)
    loads the real loader in its place, so it can only save time, never break.
    """
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") != "__all__" or _PLUGIN_LOADER in sys.modules:
        return
    stand_in = types.ModuleType(_PLUGIN_LOADER)

    def get_plugins() -> tuple[()]:
        return ()

    def real_attribute(name: str) -> object:
        if name.startswith("__"):  # the import system asks for __path__ and the like
            raise AttributeError(name)
        if sys.modules.get(_PLUGIN_LOADER) is stand_in:
            del sys.modules[_PLUGIN_LOADER]
        return getattr(importlib.import_module(_PLUGIN_LOADER), name)

    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = real_attribute  # type: ignore[method-assign]
    sys.modules[_PLUGIN_LOADER] = stand_in


if __name__ == "__main__":
    sys.exit(main())
