"""Shared pytest setup."""

# tests/fixtures holds code for the analyzer to read, not tests to run (some of it does not even
# parse): never let pytest collect or import it.
collect_ignore_glob = ["fixtures/*"]
