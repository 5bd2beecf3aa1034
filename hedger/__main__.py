"""`hedger` and `python -m hedger`: the GUI without a subcommand, else the CLI."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    # Hedger's arrays are small: OpenBLAS's per-core worker threads only
    # slow start-up. The user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Hedger uses no pydantic plugins, and a stray one installed beside it
    # has no business seeing (or changing) how portfolio files validate.
    # Looking for them scans every installed package's entry points: 5-20 ms
    # of each start. The user's own setting wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from hedger.cli import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
