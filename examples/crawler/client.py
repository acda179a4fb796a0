"""A stand-in HTTP client (no network: pages are made up) and the per-process state around it."""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    body: str


class Session:
    """Per-thread connection state; never shared between threads."""

    def __init__(self):
        self.opened_at = time.monotonic()


class Client:
    """Expensive to build (imagine TLS contexts and a connection pool), so built once."""

    def __init__(self, user_agent):
        time.sleep(0.01)
        self.user_agent = user_agent

    @classmethod
    def connect(cls, user_agent):
        """Open the client's connection pool (here: pretend to); a second one leaks its sockets."""
        return cls(user_agent)

    def fetch(self, url, session):
        time.sleep(0.001)  # the network round trip, on this thread's own session
        status = 404 if url.endswith("/missing") else 200
        return Page(url, status, f"<html><title>{url}</title> example page words</html>")


_client = None
_robots = {}
_local = threading.local()

_settings = None
_settings_lock = threading.Lock()


def get_client():
    global _client
    if _client is None:  # expect: GIL002
        _client = Client.connect("gilcheck-example/0.1")
    return _client


def get_settings():
    # Correct: double-checked locking, the check is repeated under the lock.
    global _settings
    if _settings is None:
        with _settings_lock:
            if _settings is None:
                _settings = {"timeout": 5.0, "retries": 2}
    return _settings


def get_session():
    # Correct: every thread has its own attribute on a threading.local().
    if not hasattr(_local, "session"):
        _local.session = Session()
    return _local.session


def allowed(url):
    # Correct: setdefault is one atomic operation on the shared dict.
    host = urlsplit(url).netloc
    rules = _robots.setdefault(host, ("/private",))
    return not any(urlsplit(url).path.startswith(prefix) for prefix in rules)
