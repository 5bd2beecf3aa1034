"""The analytics in plain words: the sentence each analytics view leads with.

Pure functions of the results (no Qt, no files), so the desktop app's tabs and
the ``beta``, ``backtest``, ``risk`` and ``size`` commands print the same
sentences. Amounts are rounded for reading (``amounts``); the exact figures
stay in the tables beside them.
"""

from __future__ import annotations

from hedger.core.analytics.words.backtest import (
    BacktestWords,
    WorstPeriod,
    backtest_words,
    cross_hedged,
    worst_period,
)
from hedger.core.analytics.words.betas import beta_words, betas_lead
from hedger.core.analytics.words.history import history_lead, needed_symbols
from hedger.core.analytics.words.risk import liquidation_words, risk_lead, tail_words
from hedger.core.analytics.words.sizing import sizing_lead

__all__ = [
    "BacktestWords",
    "WorstPeriod",
    "backtest_words",
    "beta_words",
    "betas_lead",
    "cross_hedged",
    "history_lead",
    "liquidation_words",
    "needed_symbols",
    "risk_lead",
    "sizing_lead",
    "tail_words",
    "worst_period",
]
