"""The held hedge: Positions table and panel, journal, drift rules, imports, notices."""
