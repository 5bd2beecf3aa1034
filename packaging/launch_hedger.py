"""Entry script PyInstaller freezes; the same `main` as the `hedger` console script.

Named so it cannot shadow the `hedger` package on PyInstaller's search path.
"""

import sys

from hedger.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
