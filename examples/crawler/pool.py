"""Fetch pages with a thread pool and index them on a background thread.

Run from the examples/ directory:  python -m crawler.pool
"""

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from .client import allowed, get_client, get_session, get_settings
from .jobs import JobQueue

URLS = [f"https://site{n % 3}.example/page/{n}" for n in range(40)] + [
    "https://site0.example/missing",
    "https://site1.example/private/admin",
]

stats = {"fetched": 0}
processed = 0

status_counts = Counter()
index = {}
_index_lock = threading.Lock()
_job_ids = itertools.count(1)


def fetch(url, jobs):
    global processed
    if not allowed(url):
        return None
    page = get_client().fetch(url, get_session())
    job_id = next(_job_ids)  # atomic: no lock needed
    stats["fetched"] += 1  # expect: GIL004
    processed += 1  # expect: GIL001
    with _index_lock:
        status_counts[page.status] += 1
    jobs.put((job_id, page))
    return job_id


def indexer(jobs):
    while True:
        job = jobs.get()
        if job is None:
            return
        _job_id, page = job
        if page.status >= 400:
            jobs.discard(1)  # error pages are not indexed
            continue
        with _index_lock:
            for word in page.body.split():
                index.setdefault(word, set()).add(page.url)


def report():
    with _index_lock:
        counts = sorted(status_counts.items())
        words = len(index)
    print(f"fetched {stats['fetched']} pages, {processed} processed, {words} distinct words")
    for status, count in counts:
        print(f"  HTTP {status}: {count}")


def main(workers=4):
    get_settings()
    jobs = JobQueue()
    indexers = []
    for n in range(2):
        thread = threading.Thread(target=indexer, args=(jobs,), name=f"indexer-{n}")
        thread.start()
        indexers.append(thread)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fetch, url, jobs) for url in URLS]
    skipped = sum(1 for future in futures if future.result() is None)
    for thread in indexers:
        jobs.put(None)
    for thread in indexers:
        thread.join()
    print(f"skipped {skipped} disallowed URLs")
    report()


if __name__ == "__main__":
    main()
