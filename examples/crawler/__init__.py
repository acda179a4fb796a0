"""A tiny threaded crawler used to demonstrate gilcheck (see ../README.md)."""
