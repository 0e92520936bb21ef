"""A poison message with redis-py consumers that crash on it (sluice's dead-letter policy).

Usage: python3 poison_scenario.py PORT
Workers are processes reading a consumer group one job at a time, the usual way (XAUTOCLAIM of entries idle
100 ms, then XREADGROUP >) and acking what they handle; a worker that meets the poison
message dies (os._exit) before acking, and a fresh worker replaces it. With
`SLUICE.POLICY DEADLETTER ... MAXDELIVERIES 3`, the fourth delivery attempt moves the poison
message to the dead-letter stream instead: every other message is handled once, the poison
one sits in `jobs:dead` with its metadata, and the workers stop dying. Bounded: 60 s.
"""
import multiprocessing
import os
import sys
import time

import redis

PORT = int(sys.argv[1])
GOOD = 40


def conn():
    return redis.Redis(host="127.0.0.1", port=PORT, decode_responses=True)


def worker(name):
    r = conn()
    while True:
        _, claimed, _ = r.xautoclaim("jobs", "workers", name, min_idle_time=100, count=1)
        got = [(i, f) for i, f in claimed if f]
        if not got:
            res = r.xreadgroup("workers", name, {"jobs": ">"}, count=1, block=200)
            got = [(i, f) for _, entries in res for i, f in entries]
        for eid, fields in got:
            if fields["job"] == "poison":
                os._exit(1)  # crashes without acking
            r.hincrby("handled", fields["job"], 1)
            r.xack("jobs", "workers", eid)


def main():
    r = conn()
    r.delete("jobs", "jobs:dead", "handled")
    r.xgroup_create("jobs", "workers", id="$", mkstream=True)
    assert r.execute_command(
        "SLUICE.POLICY", "DEADLETTER", "jobs", "workers", "MAXDELIVERIES", "3", "TO", "jobs:dead"
    ) == "OK"
    for i in range(GOOD // 2):
        r.xadd("jobs", {"job": f"good-{i}"})
    poison_id = r.xadd("jobs", {"job": "poison", "payload": "\x00bad"})
    for i in range(GOOD // 2, GOOD):
        r.xadd("jobs", {"job": f"good-{i}"})
    crashes = 0
    deadline = time.time() + 60
    procs = {}
    n = 0
    while time.time() < deadline:
        for slot in range(2):
            p = procs.get(slot)
            if p is not None and not p.is_alive():
                if p.exitcode == 1:
                    crashes += 1
                p = None
            if p is None:
                n += 1
                p = multiprocessing.Process(target=worker, args=(f"w{n}",), daemon=True)
                p.start()
                procs[slot] = p
        if r.hlen("handled") == GOOD and r.xlen("jobs:dead") == 1:
            break
        time.sleep(0.05)
    for p in procs.values():
        p.terminate()
    handled = r.hgetall("handled")
    assert len(handled) == GOOD and all(v == "1" for v in handled.values()), handled
    dead = r.xrange("jobs:dead")
    assert len(dead) == 1, dead
    f = dead[0][1]
    assert f["job"] == "poison" and f["payload"] == "\x00bad", f
    assert f["dlq-stream"] == "jobs" and f["dlq-group"] == "workers", f
    assert f["dlq-id"] == poison_id and f["dlq-deliveries"] == "3", f
    assert f["dlq-reason"] == "max-deliveries", f
    assert r.xpending("jobs", "workers")["pending"] == 0
    # Three deliveries, three crashes: the fourth attempt was the dead letter.
    assert crashes == 3, crashes
    print(f"poison message: ok ({GOOD} handled once, {crashes} crashes, then dead-lettered)")


if __name__ == "__main__":
    main()
