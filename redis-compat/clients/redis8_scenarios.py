"""Redis 8 commands through redis-py's own API (8.1, which has them), RESP2 and RESP3.

Usage: python3 redis8_scenarios.py PORT
Against sluice only (no runnable Redis here has them): each call goes through redis-py's
argument building and reply parsing, so an option it spells differently from sluice, or a
reply shape it cannot read, fails here. Prints one line per protocol; exits non-zero on the
first failure.
"""
import sys
import threading
import time
import warnings

import redis

from python_scenarios import entries_of  # this directory's redis-py scenarios

PORT = int(sys.argv[1])
# redis-py marks these APIs experimental; the warnings are not failures.
warnings.simplefilter("ignore", UserWarning)


def client(proto):
    return redis.Redis(host="127.0.0.1", port=PORT, protocol=proto, decode_responses=True)




def streams(r):
    r.delete("s")
    # Idempotent production (8.6): a retry gets the original ID.
    first = r.xadd("s", {"f": "1"}, idmp=("producer-1", "order-1"))
    assert r.xadd("s", {"f": "1"}, idmp=("producer-1", "order-1")) == first
    auto = r.xadd("s", {"f": "2"}, idmpauto="producer-2")
    assert r.xadd("s", {"f": "2"}, idmpauto="producer-2") == auto
    assert r.xlen("s") == 2
    assert r.xcfgset("s", idmp_duration=60, idmp_maxsize=10) in ("OK", True)
    info = r.xinfo_stream("s")
    assert info["idmp-duration"] == 60 and info["idmp-maxsize"] == 10, info
    # XREADGROUP CLAIM (8.4) and XNACK (8.8): a released entry is claimed first.
    r.xgroup_create("s", "g", id="0")
    got = entries_of(r.xreadgroup("g", "c1", {"s": ">"}))
    assert [e for e, _ in got] == [first, auto], got
    assert r.xnack("s", "g", "FAIL", auto) == 1
    pending = r.xpending_range("s", "g", "-", "+", 10)
    nacked = [p for p in pending if p["message_id"] == auto][0]
    assert nacked["consumer"] in ("", b""), nacked
    got = r.xreadgroup("g", "c2", {"s": ">"}, count=1, claim_min_idle_time=60000)
    assert [e[0] for e in entries_of(got)] == [auto], got
    # XACKDEL and XDELEX (8.2).
    assert r.xackdel("s", "g", first, auto, ref_policy="ACKED") == [1, 1]
    assert r.xlen("s") == 0
    third = r.xadd("s", {"f": "3"})
    assert r.xdelex("s", third, "9-9") == [1, -1]
    # MAXCOUNT / MAXSIZE (8.10).
    r.delete("a", "b")
    for k in ("a", "b"):
        for i in range(3):
            r.xadd(k, {"i": str(i)})
    got = r.xread({"a": "0", "b": "0"}, count=2, max_count=3)
    assert len(entries_of(got)) == 3, got
    got = r.xread({"a": "0", "b": "0"}, max_size=1)
    assert len(entries_of(got)) == 1, got


def lists_and_strings(r):
    r.delete("src", "dst", "k", "n")
    r.rpush("src", "1", "2", "3", "4")
    assert r.lmovem("src", "dst", "LEFT", "RIGHT", count=2, mode="COUNT", ordering="BULK") == ["1", "2"]
    assert r.lmovem("src", "dst", "LEFT", "LEFT", count=5, mode="EXACTLY", ordering="OBO") is None
    assert r.lmovem("src", "dst") == ["3"]

    def push_later():
        time.sleep(0.2)
        client(2).rpush("src", "5", "6")

    t = threading.Thread(target=push_later)
    t.start()
    got = r.blmovem("src", "dst", 5, "LEFT", "RIGHT", count=3, mode="EXACTLY", ordering="BULK")
    t.join()
    assert got == ["4", "5", "6"], got
    assert r.lrange("dst", 0, -1) == ["1", "2", "3", "4", "5", "6"]
    # Compare-and-set / -delete (8.4).
    r.set("k", "v1")
    d = r.digest("k")
    assert len(d) == 16
    assert r.set("k", "v2", ifeq="nope") is None
    assert r.set("k", "v2", ifdeq=d)
    assert r.set("k", "v3", ifne="v2") is None
    assert r.delex("k", ifeq="v2") == 1
    assert r.msetex({"m1": "a", "m2": "b"}, ex=100) == 1
    # INCREX (8.8).
    r.set("n", "98")
    assert r.increx("n", byint=5, ubound=100, saturate=True, ex=100) == [100, 2]
    assert r.ttl("n") == 100
    assert r.increx("n", byint=1, ubound=100) == [100, 0]


def main():
    for proto in (2, 3):
        r = client(proto)
        t = time.time()
        streams(r)
        lists_and_strings(r)
        print(f"redis-py {redis.__version__} RESP{proto} Redis 8 commands: ok ({time.time() - t:.2f}s)")


if __name__ == "__main__":
    main()
