"""Analytics on price history: import, estimation, backtest, risk, position sizing.

Pure Python and numpy (no Qt). Money that a person acts on (contract counts,
risk budgets) stays Decimal; price paths and simulations are float64 arrays.
"""
