"""The scenario grid's holdings value equals the direct per-holding formula."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hedger.core.catalog import builtin_catalog
from hedger.core.models import HedgeSettings, Holding, Portfolio
from hedger.core.planner import plan_portfolio
from hedger.core.scenarios import default_moves, holdings_value, scenario_for

D = Decimal
MOVES = np.concatenate([default_moves(1001), [-2.0, -1.0, 1.0, 3.0, 1e-12, -1e-12]])


def direct(holdings: list[tuple[Decimal, Decimal]], moves: np.ndarray) -> np.ndarray:
    out = np.zeros_like(moves)
    for beta, value in holdings:
        out += float(value) * np.maximum(1.0 + float(beta) * moves, 0.0)
    return out


_betas = st.decimals(min_value=-20, max_value=20, places=3, allow_nan=False)
_values = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(_betas, _values), min_size=1, max_size=40))
def test_holdings_value_matches_the_direct_formula(rows: list[tuple[Decimal, Decimal]]) -> None:
    holdings = tuple(
        Holding(symbol=f"S{i}", quantity=v, price=D(1), beta=b, hedge_with="BTC")
        for i, (b, v) in enumerate(rows)
    )
    portfolio = Portfolio(holdings=holdings, hedge=HedgeSettings(futures_prices={"BTC": D(70000)}))
    u = plan_portfolio(portfolio, builtin_catalog()).underlying("BTC")
    assert u is not None
    got = holdings_value(u, MOVES)
    scale = max(1.0, sum(abs(float(v)) for _, v in rows)) * 60
    np.testing.assert_allclose(got, direct(rows, MOVES), rtol=0, atol=scale * 1e-13)


def test_high_betas_floor_prices_at_zero() -> None:
    # Beta 4: a 25 % fall takes the coin to zero, and it stays there.
    portfolio = Portfolio(
        holdings=(
            Holding(symbol="BTC", quantity=D(1), price=D(70000)),
            Holding(symbol="MEME", quantity=D(1000), price=D(1), beta=D(4), hedge_with="BTC"),
        )
    )
    s = scenario_for(
        plan_portfolio(portfolio, builtin_catalog()), "BTC", np.array([-0.5, -0.25, 0.0, 0.1])
    )
    np.testing.assert_allclose(s.unhedged, [35000, 52500, 71000, 77000 + 1400])
