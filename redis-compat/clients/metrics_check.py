"""sluice's /metrics read as Prometheus reads it: parsed by prometheus_client's text-format
parser (a line it cannot parse fails the check) and compared name by name, label by label,
with redis_exporter's metric names (redis-compat/redis-exporter-metrics.txt).

    python metrics_check.py REDIS_PORT HTTP_PORT LIST_FILE

The server must run with `enable-debug-command yes` and `latency-tracking yes`: the script
makes a stream with a group, consumers, pending, nacked and idempotent entries, an expiring
key, an error, a slow log entry and a latency spike, so every listed metric has a source.
"""

import sys
import urllib.request

import redis
from prometheus_client.parser import text_string_to_metric_families


def setup(r):
    r.config_set("slowlog-log-slower-than", 0)
    r.config_set("latency-monitor-threshold", 5)
    r.execute_command("XADD", "orders", "IDMP", "p1", "i1", "*", "n", "1")
    r.execute_command("XADD", "orders", "IDMP", "p1", "i1", "*", "n", "1")
    for i in range(5):
        r.xadd("orders", {"n": i})
    r.xgroup_create("orders", "billing", id="0")
    r.xreadgroup("billing", "w1", {"orders": ">"}, count=3)
    r.xreadgroup("billing", "w2", {"orders": ">"}, count=1)
    pending = r.xpending_range("orders", "billing", "-", "+", 1, consumername="w1")
    r.execute_command("XNACK", "orders", "billing", "FAIL", "IDS", 1, pending[0]["message_id"])
    r.set("session", "x", ex=100)
    try:
        r.execute_command("NOSUCHCOMMAND")
    except redis.ResponseError:
        pass
    r.execute_command("DEBUG", "SLEEP", "0.02")


def main():
    port, http_port, list_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    r = redis.Redis(port=port, decode_responses=True)
    setup(r)
    text = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=10).read().decode()

    samples = {}
    kinds = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples.setdefault(s.name, []).append(s.labels)
            kinds[s.name] = family.type
    if not samples:
        sys.exit("no samples parsed")

    listed = {}
    for line in open(list_file):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, *labels = line.split()
        listed[name.rstrip("?")] = labels

    problems = []
    for name, labels in listed.items():
        got = samples.get(name)
        if got is None:
            problems.append(f"missing: {name}")
            continue
        for want in labels:
            if not all(want in l for l in got):
                problems.append(f"{name}: a sample without label {want!r}: {got[:2]}")
    for name in samples:
        if name.startswith("redis_") and name not in listed:
            problems.append(f"not a redis_exporter name: {name}")
    # Counters end in _total as the exporter names them; the parser reads their type. Two
    # are gauges in the exporter itself (metricMapGauges), and so here.
    exporter_gauges = {"redis_expired_time_cap_reached_total", "redis_migrate_cached_sockets_total"}
    for name, kind in kinds.items():
        if name.endswith("_total") and kind != "counter" and name not in exporter_gauges:
            problems.append(f"{name} is a {kind}, not a counter")

    # Values a dashboard relies on, against what the server says itself.
    def value(name, **labels):
        families = text_string_to_metric_families(text)
        for family in families:
            for s in family.samples:
                if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                    return s.value
        return None

    groups = {g["name"]: g for g in r.xinfo_groups("orders")}
    checks = [
        ("redis_stream_length", {"db": "db0", "stream": "orders"}, r.xlen("orders")),
        ("redis_stream_group_messages_pending", {"stream": "orders", "group": "billing"}, groups["billing"]["pending"]),
        ("redis_stream_group_lag", {"stream": "orders", "group": "billing"}, groups["billing"]["lag"]),
        ("redis_stream_group_messages_nacked", {"stream": "orders", "group": "billing"}, 1),
        ("redis_stream_idmp_duplicates_total", {"stream": "orders"}, 1),
        ("redis_db_keys", {"db": "db0"}, r.dbsize()),
        ("redis_db_keys_expiring", {"db": "db0"}, 1),
    ]
    for name, labels, want in checks:
        got = value(name, **labels)
        if got != want:
            problems.append(f"{name}{labels} = {got}, XINFO/DBSIZE say {want}")

    if problems:
        sys.exit("\n".join(problems))
    print(
        f"metrics: ok ({len(samples)} sample names parsed by prometheus_client, "
        f"{len(listed)} redis_exporter names present with their labels, "
        f"{len(checks)} values checked)"
    )


if __name__ == "__main__":
    main()
