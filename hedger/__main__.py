"""`hedger` and `python -m hedger`: the GUI without a subcommand, else the CLI."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    # Hedger's arrays are small: OpenBLAS's per-core worker threads only
    # slow start-up. The user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from hedger.cli import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
