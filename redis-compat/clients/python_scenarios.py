"""Real-client scenarios with redis-py, sync and asyncio, RESP2 and RESP3.

Usage: python3 python_scenarios.py PORT
Prints one line per scenario and exits non-zero on the first failure. Run by
redis-compat/tests/clients.rs against sluice and against redis-server.
"""
import asyncio
import sys
import threading
import time

import redis
import redis.asyncio as aredis

PORT = int(sys.argv[1])


def entries_of(resp):
    """(id, fields) pairs of an XREAD/XREADGROUP reply in either protocol's redis-py shape."""
    out = []
    if not resp:
        return out
    for _, entries in (resp.items() if isinstance(resp, dict) else resp):
        if entries and isinstance(entries[0], list):
            entries = entries[0]  # RESP3: {stream: [[(id, fields), ...]]}
        out.extend(entries)
    return out


def client(proto):
    return redis.Redis(host="127.0.0.1", port=PORT, protocol=proto, decode_responses=True)


def consumer_group_at_least_once(proto):
    r = client(proto)
    r.flushall()
    r.xgroup_create("orders", "workers", id="0", mkstream=True)
    produced = [r.xadd("orders", {"n": str(i)}) for i in range(60)]
    processed = set()
    # alice reads a batch and dies before acking it.
    batch = r.xreadgroup("workers", "alice", {"orders": ">"}, count=10)
    died_with = [eid for eid, _ in entries_of(batch)]
    assert len(died_with) == 10, died_with

    def worker(name):
        w = client(proto)
        while True:
            resp = w.xreadgroup("workers", name, {"orders": ">"}, count=5, block=200)
            if not resp:
                return
            for eid, fields in entries_of(resp):
                processed.add(eid)
                w.xack("orders", "workers", eid)

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("bob", "carol")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Recover alice's entries with XAUTOCLAIM.
    cursor = "0-0"
    while True:
        cursor, claimed, deleted = r.xautoclaim("orders", "workers", "dave", min_idle_time=0, start_id=cursor, count=4)
        for eid, fields in claimed:
            processed.add(eid)
            r.xack("orders", "workers", eid)
        if cursor == "0-0":
            break
    assert processed == set(produced), (len(processed), len(produced))
    pending = r.xpending("orders", "workers")
    assert pending["pending"] == 0, pending
    info = r.xinfo_groups("orders")[0]
    assert info["pending"] == 0 and info["last-delivered-id"] == produced[-1], info


def job_queues(proto):
    r = client(proto)
    r.flushall()
    done = []

    def brpop_worker():
        w = client(proto)
        while True:
            item = w.brpop(["jobs:high", "jobs:low"], timeout=0.3)
            if item is None:
                return
            done.append(item[1])

    workers = [threading.Thread(target=brpop_worker) for _ in range(3)]
    for t in workers:
        t.start()
    for i in range(30):
        r.lpush("jobs:low" if i % 2 else "jobs:high", f"job-{i}")
    for t in workers:
        t.join()
    assert sorted(done) == sorted(f"job-{i}" for i in range(30)), done
    # Reliable queue: BLMOVE into a processing list, then remove when done.
    r.rpush("queue", "a", "b", "c")
    while True:
        job = r.blmove("queue", "processing", 0.2, "RIGHT", "LEFT")
        if job is None:
            break
        assert r.lrem("processing", 1, job) == 1
    assert r.llen("processing") == 0 and r.llen("queue") == 0


def pubsub_fanout(proto):
    r = client(proto)
    subs = []
    for i in range(3):
        p = client(proto).pubsub()
        p.subscribe("news")
        p.psubscribe("n*")
        # Drain the confirmations.
        for _ in range(2):
            assert p.get_message(timeout=1)["type"] in ("subscribe", "psubscribe")
        subs.append(p)
    assert r.publish("news", "hello") == 6
    for p in subs:
        got = sorted(p.get_message(timeout=1)["type"] for _ in range(2))
        assert got == ["message", "pmessage"], got
        p.close()


def pipelines_and_watch(proto):
    r = client(proto)
    r.flushall()
    with r.pipeline(transaction=False) as p:
        for i in range(100):
            p.incr("counter")
        assert p.execute()[-1] == 100
    # redis-py sends a whole pipeline before reading a reply: 20 MB of replies here, more than
    # the socket buffers hold, so the server must keep reading while its output waits.
    big = redis.Redis(host="127.0.0.1", port=PORT, protocol=proto, decode_responses=True,
                      socket_timeout=60)
    big.set("blob", "x" * 2000)
    with big.pipeline(transaction=False) as p:
        for i in range(10_000):
            p.get("blob")
        assert p.execute() == ["x" * 2000] * 10_000
    r.set("balance", 10)
    with r.pipeline() as p:
        p.watch("balance")
        client(proto).set("balance", 20)  # someone else writes
        p.multi()
        p.incrby("balance", 5)
        try:
            p.execute()
            raise AssertionError("EXEC must fail after a watched key changed")
        except redis.WatchError:
            pass
    def add(pipe):
        v = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", v + 5)
    r.transaction(add, "balance")
    assert r.get("balance") == "25"


def locks_and_scripts(proto):
    # redis-py's Lock runs Lua (acquire is SET NX PX; release, extend, reacquire are
    # scripts); register_script falls back from EVALSHA to EVAL on NOSCRIPT.
    r = client(proto)
    r.flushall()
    lock = r.lock("res", timeout=5, blocking_timeout=1)
    assert lock.acquire()
    other = r.lock("res", timeout=5, blocking_timeout=0.2)
    assert not other.acquire()
    assert lock.extend(5)
    assert lock.reacquire()
    lock.release()
    assert other.acquire()
    other.release()
    assert r.get("res") is None
    incr = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    assert incr(keys=["c"], args=[5]) == 5
    r.script_flush()
    assert incr(keys=["c"], args=[2]) == 7
    assert r.eval("return {KEYS[1], ARGV[1]}", 1, "k", "a") == ["k", "a"]


async def async_scenarios(proto):
    r = aredis.Redis(host="127.0.0.1", port=PORT, protocol=proto, decode_responses=True)
    await r.flushall()
    await r.xgroup_create("s", "g", id="$", mkstream=True)

    async def consumer():
        return await r.xreadgroup("g", "c", {"s": ">"}, count=1, block=2000)

    task = asyncio.create_task(consumer())
    await asyncio.sleep(0.1)
    producer = aredis.Redis(host="127.0.0.1", port=PORT, protocol=proto, decode_responses=True)
    eid = await producer.xadd("s", {"k": "v"})
    got = await task
    assert [e for e, _ in entries_of(got)] == [eid], got
    assert await r.xack("s", "g", eid) == 1
    async with r.pipeline(transaction=True) as p:
        p.set("a", 1).incr("a")
        assert await p.execute() == [True, 2]
    await producer.aclose()
    await r.aclose()


def main():
    scenarios = [consumer_group_at_least_once, job_queues, pubsub_fanout, pipelines_and_watch, locks_and_scripts]
    for proto in (2, 3):
        for s in scenarios:
            t = time.time()
            s(proto)
            print(f"redis-py {redis.__version__} sync RESP{proto} {s.__name__}: ok ({time.time() - t:.2f}s)")
        asyncio.run(async_scenarios(proto))
        print(f"redis-py {redis.__version__} asyncio RESP{proto} consumer/pipeline: ok")


if __name__ == "__main__":
    main()
