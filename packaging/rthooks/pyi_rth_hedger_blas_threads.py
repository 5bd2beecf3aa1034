"""PyInstaller runtime hook: one OpenBLAS thread unless the user asks for more.

numpy's OpenBLAS starts a worker thread per CPU core when numpy is imported,
and the workers spin while they wait. Hedger's arrays are small (chart
series, per-scenario values), so the threads never pay off; they only add
start-up time and CPU (about 10 % of `--smoke-test` on two cores, more on
machines with many). An OPENBLAS_NUM_THREADS the user set is kept.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
