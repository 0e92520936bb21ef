"""At-least-once delivery through server crashes, with redis-py and Redis 8 streams.

Usage: python3 at_least_once.py PORT MESSAGES

Producers add every message with XADD IDMP (producer id, message number) and retry until
they get a reply; consumers read with XREADGROUP CLAIM (idle entries of consumers that lost
their connection come first) and finish each entry with XACKDEL ACKED. The test that runs
this (redis-compat/tests/clients.rs) kills the server with SIGKILL twice meanwhile and
restarts it on the same port. At the end every message was processed, no message was added
as two entries (IDMP turned each retry into the original ID), and the stream is empty.
Exits non-zero otherwise.
"""
import sys
import threading
import time

import redis

PORT = int(sys.argv[1])
MESSAGES = int(sys.argv[2])
PRODUCERS = 2
CONSUMERS = 3
DEADLINE = time.monotonic() + 150
NO_IDMP = False  # True shows what IDMP prevents: the retried XADDs then add duplicates

lock = threading.Lock()
entry_of = {}  # message number -> set of stream IDs it was seen under
processings = 0
producers_done = 0
retries = 0


def entries_of(resp):
    """The entries of an XREADGROUP reply (RESP2 list or RESP3 map; CLAIM entries carry
    their idle time and delivery count after the fields)."""
    out = []
    for _, entries in (resp.items() if isinstance(resp, dict) else resp or []):
        if entries and isinstance(entries[0], list):
            entries = entries[0]
        out.extend(entries)
    return out


def client():
    return redis.Redis(host="127.0.0.1", port=PORT, decode_responses=True,
                       socket_timeout=5, socket_connect_timeout=1)


def retrying(fn):
    """Calls fn until it gets an answer: the server may be down or restarting."""
    global retries
    while time.monotonic() < DEADLINE:
        try:
            return fn()
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
            with lock:
                retries += 1
            time.sleep(0.05)
    raise SystemExit("deadline passed")


def producer(p):
    global producers_done
    r = client()
    for n in range(p, MESSAGES, PRODUCERS):
        retrying(lambda: r.xadd("jobs", {"n": str(n), "body": "x" * 32},
                                idmp=None if NO_IDMP else (f"producer-{p}", str(n))))
    with lock:
        producers_done += 1


def consumer(c):
    global processings
    r = client()
    name = f"worker-{c}"
    while time.monotonic() < DEADLINE:
        with lock:
            if len(entry_of) == MESSAGES and producers_done == PRODUCERS:
                return
        resp = retrying(lambda: r.xreadgroup("workers", name, {"jobs": ">"}, count=10,
                                             block=200, claim_min_idle_time=1000))
        ids = []
        for e in entries_of(resp):
            eid, fields = e[0], e[1]
            with lock:
                entry_of.setdefault(int(fields["n"]), set()).add(eid)
                processings += 1
            ids.append(eid)
        if ids:
            retrying(lambda: r.xackdel("jobs", "workers", *ids, ref_policy="ACKED"))


def main():
    r = client()

    def create():
        try:
            r.xgroup_create("jobs", "workers", id="0", mkstream=True)
        except redis.ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise
    retrying(create)
    threads = [threading.Thread(target=producer, args=(p,)) for p in range(PRODUCERS)]
    threads += [threading.Thread(target=consumer, args=(c,)) for c in range(CONSUMERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    missing = [n for n in range(MESSAGES) if n not in entry_of]
    twice = {n: ids for n, ids in entry_of.items() if len(ids) > 1}
    # Entries whose XACKDEL a crash swallowed are claimed again by the idle rule: wait for
    # the stream to drain.
    while time.monotonic() < DEADLINE:
        left = retrying(lambda: r.xlen("jobs"))
        pending = retrying(lambda: r.xpending("jobs", "workers"))["pending"]
        if left == 0 and pending == 0:
            break
        resp = retrying(lambda: r.xreadgroup("workers", "sweeper", {"jobs": ">"}, count=100,
                                             block=200, claim_min_idle_time=1000))
        ids = [e[0] for e in entries_of(resp)]
        if ids:
            retrying(lambda: r.xackdel("jobs", "workers", *ids, ref_policy="ACKED"))
    left = r.xlen("jobs")
    assert not missing, f"never processed: {missing[:10]}"
    assert not twice, f"added as two entries: {list(twice.items())[:5]}"
    assert left == 0, f"{left} entries left in the stream"
    print(f"at-least-once: {MESSAGES} messages processed ({processings} processings, "
          f"{processings - MESSAGES} redeliveries), none added twice, stream empty, "
          f"{retries} calls retried past redis-py's own retries: ok")


main()
