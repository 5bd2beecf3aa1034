"""The analytics tabs of the main window, in order, with their titles.

The window builds each tab the first time it is shown: the tab modules pull
in numpy and pyqtgraph, which the hedge view's first paint does not need. So
this registry names the classes by module and is itself free of imports.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TabEntry:
    title: str
    module: str
    class_name: str
    needs_history: bool  # built with the window's shared HistoryLibrary

    def load(self) -> Any:
        """The tab class (imports its module)."""
        return getattr(importlib.import_module(self.module), self.class_name)


ANALYTICS_TABS: tuple[TabEntry, ...] = (
    TabEntry("History", "hedger.ui.analytics.history", "HistoryTab", True),
    TabEntry("Betas", "hedger.ui.analytics.betas", "EstimationTab", True),
    TabEntry("Backtest", "hedger.ui.analytics.backtest", "BacktestTab", True),
    TabEntry("Risk", "hedger.ui.analytics.risk", "RiskTab", True),
    TabEntry("Position Sizing", "hedger.ui.analytics.sizing", "SizingTab", False),
)
