"""Pure-Python core of Hedger: models, catalog, hedge plans and scenarios.

Nothing in this package may import Qt or pyqtgraph; tests enforce it.
"""
