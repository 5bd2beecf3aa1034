"""File > Export Plan: the plan as CSV rows (pure core)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.plan_export import COLUMNS, plan_to_csv
from hedger.core.planner import plan_portfolio

D = Decimal


def rows_of(portfolio: Portfolio) -> list[dict[str, str]]:
    text = plan_to_csv(plan_portfolio(portfolio, builtin_catalog()))
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_one_row_per_option_with_figures_and_orders() -> None:
    # Example 6 of domain.md: 0.5 BTC with CME is 5 MBT exactly.
    portfolio = Portfolio(
        holdings=(Holding(symbol="BTC", quantity=D("0.5"), price=D(70000)),),
        hedge=HedgeSettings(families={"BTC": "CME-BTC"}),
    )
    rows = {r["option"]: r for r in rows_of(portfolio)}
    assert set(rows) == {"standard", "micro", "mix"}
    micro = rows["micro"]
    assert micro["legs"] == "5 x CME:MBT" and micro["contracts"] == "5"
    assert micro["hedged_usd"] == "35000" and micro["residual_usd"] == "0"
    assert micro["order"].startswith("Sell 5 contracts of CME Micro Bitcoin (MBT)")
    assert (micro["order_side"], micro["order_quantity"], micro["order_unit"]) == (
        "sell",
        "5",
        "contracts",
    )
    # The mix lists only the sizes it uses; a single tier names its contract at 0.
    assert rows["mix"]["legs"] == "5 x CME:MBT"
    assert rows["standard"]["legs"] == "0 x CME:BTC"
    assert rows["mix"]["recommended"] == "yes" and micro["recommended"] == ""


def test_an_underlying_without_options_still_has_a_row() -> None:
    portfolio = Portfolio(holdings=(Holding(symbol="BTC", quantity=D(1), price=D(70000)),))
    portfolio = portfolio.model_copy(
        update={"hedge": HedgeSettings(families={"BTC": "NO-SUCH-FAMILY"})}
    )
    (row,) = rows_of(portfolio)
    assert row["underlying"] == "BTC" and row["option"] == ""
    assert "NO-SUCH-FAMILY" in row["order"]
