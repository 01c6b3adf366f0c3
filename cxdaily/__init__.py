"""cxdaily: a leader's daily half hour with customers, in the terminal."""

__version__ = "0.1.0"
