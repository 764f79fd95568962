#!/usr/bin/env python3
"""Seeds a contest store with N sessions, each with one battle that has one turn, and writes the
wrk input (one "cookie csrf battle" line per battle). Usage: contest_votes.py STORE N OUT."""
import os
import sqlite3
import sys

store, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
models = ["hanul-7b", "dalbit-5b", "sanmaru-3b", "narae-2b", "byeol-1b"]
db = sqlite3.connect(store)
# The server creates the tables on its first start; this script runs after that.
rows = []
with db:
    for i in range(n):
        session, csrf, battle = os.urandom(16).hex(), os.urandom(16).hex(), os.urandom(16).hex()
        a, b = models[i % 5], models[(i + 1 + i // 5) % 5]
        if a == b:
            b = models[(i + 2) % 5]
        db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (session, csrf, "127.0.0.1", 0))
        db.execute("INSERT INTO battles VALUES (?, ?, ?, ?, ?)", (battle, session, a, b, 0))
        db.execute("INSERT INTO turns VALUES (?, 1, ?, ?, ?, 0)", (battle, "질문", "답 A", "답 B"))
        rows.append(f"{session} {csrf} {battle}")
with open(out, "w") as f:
    f.write("\n".join(rows) + "\n")
