"""gilcheck: find Python code that is only thread-safe because the GIL serializes it."""

__version__ = "0.1.0"
