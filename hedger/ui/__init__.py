"""Qt user interface. Depends on hedger.core and hedger.store, never the reverse."""
