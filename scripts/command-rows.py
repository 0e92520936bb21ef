#!/usr/bin/env python3
"""Prints sluice command rows (src/cmd/table.rs's `Command`) for the named commands, from
what a running oracle says of them (COMMAND INFO and COMMAND DOCS): Redis's own data for
arity, flags, ACL categories, key specs, tips and docs, as Redis's commands/*.json hold it.

    scripts/command-rows.py PORT HANDLER-MODULE COMMAND[:SUB,SUB...] ... > rows.rs

A container (CLIENT, XGROUP, ...) gets the subcommands listed after its colon, or all of
the oracle's when none are listed.

The oracle is Valkey 9.1 (redis_version 7.2.4). Valkey has moved on since 7.2.4 in a few
places that are not Redis, so this script drops them: arguments and history entries marked
`since` 8.0.0 or later (Valkey's own numbering: SET IFEQ, ...), the `no_multi` flag that
Valkey gives MULTI and WATCH, and Valkey's `skip_commandlog` flag, which Redis calls
`skip_slowlog`. Commands Redis added after 7.2 have no oracle: write their rows by hand from
the redis.io command page.

The output is a starting point, edited like any code once it is in the tree (the handler
names, a command's own judgement calls). Each row names its handler `HANDLER-MODULE::name`
(`|` and `-` in names become `_`).
"""
import socket
import sys

VALKEY_ONLY_SINCE = (8, 0, 0)


def enc(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def call(self, *args):
        self.s.sendall(enc(args))
        return self.read()

    def read(self):
        line = self.f.readline()
        t, body = line[:1], line[1:-2]
        if t == b"+":
            return body.decode()
        if t == b"-":
            raise RuntimeError(body.decode())
        if t == b":":
            return int(body)
        if t == b"$":
            n = int(body)
            return None if n < 0 else self.f.read(n + 2)[:-2].decode()
        if t == b"*":
            n = int(body)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError(f"unexpected reply {line!r}")


def pairs(flat):
    return dict(zip(flat[::2], flat[1::2]))


def valkey_only(since):
    return since is not None and tuple(int(x) for x in since.split(".")) >= VALKEY_ONLY_SINCE


def rs(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def opt(s):
    return "None" if s is None else f"Some({rs(s)})"


def strs(v):
    return "&[" + ", ".join(rs(x) for x in v) + "]"


FLAG_CONSTS = {
    "write": "WRITE", "readonly": "READONLY", "denyoom": "DENYOOM", "admin": "ADMIN",
    "pubsub": "PUBSUB", "noscript": "NOSCRIPT", "blocking": "BLOCKING", "loading": "LOADING",
    "stale": "STALE", "skip_monitor": "SKIP_MONITOR", "skip_slowlog": "SKIP_SLOWLOG",
    "fast": "FAST", "no_auth": "NO_AUTH", "may_replicate": "MAY_REPLICATE",
    "no_mandatory_keys": "NO_MANDATORY_KEYS", "no_async_loading": "NO_ASYNC_LOADING",
    "no_multi": "NO_MULTI", "movablekeys": "MOVABLE_KEYS", "allow_busy": "ALLOW_BUSY",
    "asking": "ASKING",
}


def flags_expr(name, flags):
    out = []
    for f in flags:
        if f == "skip_commandlog":
            f = "skip_slowlog"
        if f == "no_multi" and name in ("multi", "watch"):
            continue
        out.append(FLAG_CONSTS[f])
    return " | ".join(out) if out else "0"


def key_spec(ks):
    d = pairs(ks)
    b = pairs(d["begin_search"])
    bs = pairs(b["spec"]) if b["spec"] else {}
    if b["type"] == "index":
        begin = f"Begin::Index({bs['index']})"
    elif b["type"] == "keyword":
        begin = f"Begin::Keyword({rs(bs['keyword'])}, {bs['startfrom']})"
    else:
        begin = "Begin::Unknown"
    fk = pairs(d["find_keys"])
    fs = pairs(fk["spec"]) if fk["spec"] else {}
    if fk["type"] == "range":
        find = f"Find::Range {{ lastkey: {fs['lastkey']}, keystep: {fs['keystep']}, limit: {fs['limit']} }}"
    elif fk["type"] == "keynum":
        find = (f"Find::Keynum {{ keynumidx: {fs['keynumidx']}, firstkey: {fs['firstkey']}, "
                f"keystep: {fs['keystep']} }}")
    else:
        find = "Find::Unknown"
    notes = f"notes: {rs(d.get('notes', ''))}, "
    return f"KeySpec {{ {notes}flags: {strs(d['flags'])}, begin: {begin}, find: {find} }}"


def arg(a, ind):
    d = pairs(a)
    if valkey_only(d.get("since")):
        return None
    fields = [f"name: {rs(d['name'])}", f"kind: {rs(d['type'])}"]
    if "display_text" in d:
        fields.append(f"display: Some({rs(d['display_text'])})")
    if "key_spec_index" in d:
        fields.append(f"key_spec: {d['key_spec_index']}")
    for k, f in (("token", "token"), ("summary", "summary"), ("since", "since"),
                 ("deprecated_since", "deprecated_since")):
        if k in d:
            fields.append(f"{f}: Some({rs(d[k])})")
    if d.get("flags"):
        fields.append("flags: " + " | ".join("ARG_" + f.upper() for f in d["flags"]))
    if d.get("arguments"):
        subs = [x for x in (arg(s, ind + 8) for s in d["arguments"]) if x]
        pad = " " * (ind + 4)
        fields.append("args: &[\n" + "".join(f"{pad}    {x},\n" for x in subs) + f"{pad}]")
    return "Arg { " + ", ".join(fields) + ", ..Arg::DEFAULT }"


def row(info, docs, module, parent, ind):
    name, arity, flags, first, last, step, acl, tips, specs, subs = info
    short = name.split("|")[-1]
    d = pairs(docs)
    pad = " " * ind
    handler = f"{module}::{(parent + '_' if parent else '')}{short}".replace("-", "_")
    out = [f"{pad}Command {{"]
    out.append(f"{pad}    name: {rs(short)},")
    out.append(f"{pad}    arity: {arity},")
    out.append(f"{pad}    flags: {flags_expr(short if not parent else name, flags)},")
    out.append(f"{pad}    acl: {strs([c.lstrip('@') for c in acl])},")
    out.append(f"{pad}    legacy_keys: ({first}, {last}, {step}),")
    out.append(f"{pad}    key_specs: &[" + ", ".join(key_spec(k) for k in specs) + "],")
    out.append(f"{pad}    tips: {strs(tips)},")
    out.append(f"{pad}    handler: {handler},")
    history = [h for h in d.get("history", []) if not valkey_only(h[0])]
    args = [x for x in (arg(a, ind + 8) for a in d.get("arguments", [])) if x]
    doc = [f"summary: {rs(d['summary'])}", f"since: {rs(d['since'])}",
           f"group: {rs(d['group'])}", f"complexity: {rs(d.get('complexity', ''))}"]
    if d.get("doc_flags"):
        doc.append(f"doc_flags: {strs(d['doc_flags'])}")
    if history:
        doc.append("history: &[" + ", ".join(f"({rs(v)}, {rs(t)})" for v, t in history) + "]")
    if args:
        doc.append("args: &[\n" + "".join(f"{pad}            {a},\n" for a in args) + f"{pad}        ]")
    out.append(f"{pad}    doc: Doc {{ " + ", ".join(doc) + ", ..Doc::DEFAULT },")
    if subs:
        out.append(f"{pad}    subcommands: {short.upper()}_SUBS,")
    out.append(f"{pad}    ..Command::DEFAULT")
    out.append(f"{pad}}},")
    return "\n".join(out)


def main():
    port, module, names = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    c = Conn(port)
    for spec in names:
        name, _, wanted = spec.partition(":")
        wanted = wanted.split(",") if wanted else None
        info = c.call("COMMAND", "INFO", name)[0]
        docs = pairs(c.call("COMMAND", "DOCS", name))[name]
        dd = pairs(docs)
        if info[9]:
            subdocs = pairs(dd.get("subcommands", []))
            subs = [s for s in info[9] if wanted is None or s[0].split("|")[1] in wanted]
            info[9] = subs
            print(f"pub static {name.upper().replace('-', '_')}_SUBS: &[Command] = &[")
            for sub in subs:
                print(row(sub, subdocs[sub[0]], module, name, 4))
            print("];\n")
        print(row(info, docs, module, None, 4))


if __name__ == "__main__":
    main()
