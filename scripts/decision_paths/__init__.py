"""Decision Paths: publish who decides what, at which stage, and how fast."""

__version__ = "0.1.0"
