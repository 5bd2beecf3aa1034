"""Use cases both front ends share: the command line (``hedger.cli``) and the desktop app.

Each module offers plain functions and small classes over ``hedger.core``,
``hedger.store`` and ``hedger.live``: load the catalog and change the user's
own contracts, open and save portfolios, refresh prices, import histories,
estimate, backtest, simulate and size. No Qt here and no printing: long work
reports through plain callbacks, problems through exceptions whose text is
one line for the user. Services never import ``hedger.cli`` or ``hedger.ui``.

Submodules are imported where used, so ``hedger plan`` loads no numpy and no
network code.
"""
