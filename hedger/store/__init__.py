"""Files on disk: portfolios, the portfolio library, user contracts.

Depends on hedger.core only. Submodules are imported where needed so the CLI
starts fast; nothing heavy happens at package import.
"""
