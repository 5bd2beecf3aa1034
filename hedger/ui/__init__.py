"""Qt user interface: widgets over hedger.services (and hedger.core's models), never the reverse."""
