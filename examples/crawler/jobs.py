"""A blocking job queue built on threading.Condition."""

import threading
from collections import deque


class JobQueue:
    def __init__(self):
        self.cv = threading.Condition()
        self.jobs = deque()
        self.submitted = 0
        self.closed = False

    def put(self, job):
        # Correct: the state change and the notify both happen while holding the condition.
        with self.cv:
            self.jobs.append(job)
            self.submitted += 1
            self.cv.notify()

    def get(self):
        # Written for a single consumer. With two indexer threads, one can take the job the
        # other was woken for; the other then pops from an empty deque (IndexError).
        with self.cv:
            if not self.jobs:
                self.cv.wait()  # expect: GIL003
            return self.jobs.popleft()

    def get_batch(self, size):
        # Correct: wait_for re-checks the predicate after every wakeup.
        with self.cv:
            self.cv.wait_for(lambda: self.jobs or self.closed)
            return [self.jobs.popleft() for _ in range(min(size, len(self.jobs)))]

    def close(self):
        with self.cv:
            self.closed = True
            self.cv.notify_all()

    def cancel(self):
        # C++ habit: notify after unlocking. Python raises RuntimeError here.
        with self.cv:
            self.jobs.clear()
        self.cv.notify_all()  # expect: GIL005

    def discard(self, count):
        # Jobs dropped upstream: the count goes down without the lock that put() takes.
        self.submitted -= count  # expect: GIL006

    def pending(self):
        with self.cv:
            return self.submitted
