"""Hedger: size futures hedges for spot crypto holdings."""

__version__ = "0.1.0"
