"""A one-line progress bar for long runs: ``\\r[#####.....] 120/2000 files`` on stderr."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

#: Minimum seconds between two redraws (at most ~10 per second).
MIN_INTERVAL = 0.1
BAR_WIDTH = 30


class ProgressBar:
    """Redraws in place, throttled; writes nothing at all when disabled.

    ``enabled`` defaults to whether ``stream`` is a terminal, so redirected or CI output stays
    clean. Usable as a context manager (``close()`` on exit).
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = max(0, total)
        self.count = 0
        self.stream: TextIO = stream if stream is not None else sys.stderr
        if enabled is None:
            try:
                enabled = self.stream.isatty()
            except (AttributeError, ValueError, OSError):
                enabled = False
        self.enabled = enabled
        self._clock = clock
        self._last_draw: float | None = None
        self._drawn_width = 0
        self._closed = False

    def line(self) -> str:
        """The bar as it would be drawn now (without the leading carriage return)."""
        total = self.total
        done = min(self.count, total) if total else 0
        filled = BAR_WIDTH if total == 0 else BAR_WIDTH * done // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        return f"[{bar}] {self.count}/{total} files"

    def advance(self, n: int = 1) -> None:
        self.count += n
        if not self.enabled or self._closed:
            return
        now = self._clock()
        finished = self.count >= self.total
        if self._last_draw is not None and now - self._last_draw < MIN_INTERVAL and not finished:
            return
        self._last_draw = now
        self._draw()

    def _draw(self) -> None:
        text = self.line()
        padding = " " * max(0, self._drawn_width - len(text))
        self._write(f"\r{text}{padding}")
        self._drawn_width = len(text)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # closed pipe / stream: progress is best effort
            self.enabled = False

    def close(self) -> None:
        """Erase the bar so the report starts on a clean line; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self.enabled and self._drawn_width:
            self._write("\r" + " " * self._drawn_width + "\r")
            self._drawn_width = 0

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
