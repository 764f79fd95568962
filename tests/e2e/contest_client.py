#!/usr/bin/env python3
"""A scripted citizen for the contest server's end-to-end tests (standard library only).

  contest_client.py api URL                 checks the API's rules one by one
  contest_client.py prepare URL N OUT       N sessions each with a battle that has one turn
  contest_client.py vote URL IN ACKED       votes on every prepared battle from 16 threads;
                                            each acknowledged vote is appended to ACKED
  contest_client.py check URL ACKED TOKEN   every acknowledged vote is in the admin export
"""
import http.client
import json
import sys
import threading
import urllib.parse


class Session:
    def __init__(self, url, client_ip=None):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.cookie = ""
        self.csrf = ""

    def request(self, method, path, body=None, headers=None, csrf=True, cookie=True):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        h = dict(headers or {})
        if cookie and self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        set_cookie = r.getheader("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";")[0]
        return r.status, raw, r

    def start(self):
        status, raw, r = self.request("GET", "/api/session")
        assert status == 200, (status, raw)
        cookie_attrs = r.getheader("Set-Cookie")
        assert "SameSite=Strict" in cookie_attrs and "HttpOnly" in cookie_attrs, cookie_attrs
        self.csrf = json.loads(raw)["csrf_token"]
        return self

    def battle(self):
        status, raw, _ = self.request("POST", "/api/battles", {})
        assert status == 201, (status, raw)
        body = json.loads(raw)
        assert set(body) == {"battle_id", "max_turns", "max_message_chars"}, body  # no names
        return body["battle_id"]

    def turn(self, battle, message):
        status, raw, r = self.request("POST", f"/api/battles/{battle}/turns", {"message": message})
        if status != 200:
            return status, raw, []
        assert r.getheader("Content-Type").startswith("text/event-stream")
        events = []
        for block in raw.decode().split("\n\n"):
            if not block.strip():
                continue
            name = data = None
            for line in block.split("\n"):
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
            events.append((name, data))
        return status, raw, events

    def vote(self, battle, vote):
        status, raw, _ = self.request("POST", f"/api/battles/{battle}/vote", {"vote": vote})
        return status, json.loads(raw) if raw else None


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def api(url):
    s = Session(url).start()
    b = s.battle()
    check(len(b) == 32 and all(c in "0123456789abcdef" for c in b), "battle id is 32 hex digits")
    status, body = s.vote(b, "a")
    check(status == 409 and body["error"]["code"] == "no_turn", "no vote before a turn")
    status, _, events = s.turn(b, "한국의 수도는 어디인가요?")
    check(status == 200, "turn streams")
    names = [e[0] for e in events]
    check(names[-1] == "end" and events[-1][1]["completed"], "the stream ends with end")
    check({e[1]["side"] for e in events if e[0] == "delta"} == {"a", "b"}, "both sides stream deltas")
    check(names.count("done") == 2, "both sides finish")
    text = "".join(json.dumps(e[1]) for e in events)
    for model in ["hanul-7b", "dalbit-5b", "sanmaru-3b", "narae-2b", "byeol-1b"]:
        check(model not in text, f"the stream does not name {model}")
    status, raw, _ = s.request("POST", f"/api/battles/{b}/vote", {"vote": "a"}, csrf=False)
    check(status == 403 and json.loads(raw)["error"]["code"] == "csrf", "a vote without CSRF token is refused")
    other = Session(url).start()
    status, body = other.vote(b, "a")
    check(status == 404, "another session cannot vote on the battle")
    forged = Session(url).start()
    forged.cookie, forged.csrf = s.cookie, other.csrf
    status, body = forged.vote(b, "a")
    check(status == 403, "a CSRF token of another session is refused")
    status, body = s.vote("0" * 32, "a")
    check(status == 404, "a battle the server never issued is unknown")
    status, body = s.vote(b, "left")
    check(status == 400, "an unknown vote is refused")
    status, body = s.vote(b, "b")
    check(status == 200 and body["models"]["a"] != body["models"]["b"], "the vote reveals two models")
    status, body = s.vote(b, "a")
    check(status == 409 and body["error"]["code"] == "already_voted", "one vote per battle")
    status, raw, _ = s.request("GET", f"/api/battles/{b}")
    check(json.loads(raw)["vote"] == "b", "the battle shows its vote")
    status, _, _ = s.turn(b, "more?")
    check(status == 409, "no turn after the vote")
    b2 = s.battle()
    status, raw, _ = s.turn(b2, "가" * 5000)
    check(status == 400 and json.loads(raw)["error"]["code"] == "message_length", "an overlong message is refused")
    status, raw, _ = s.request("POST", f"/api/battles/{b2}/turns", None, headers={"Content-Type": "application/json"})
    check(status == 400, "a turn without a body is refused")
    status, raw, r = s.request("GET", "/api/leaderboard")
    board = json.loads(raw)
    check(status == 200 and board["votes"]["total"] >= 1, "the leaderboard counts the vote")
    check("default-src 'self'" in r.getheader("Content-Security-Policy"), "responses carry a CSP")
    status, raw, _ = s.request("GET", "/api/admin/votes.jsonl")
    check(status == 401, "admin endpoints need the token")


def prepare(url, n, out):
    lock = threading.Lock()
    prepared = []

    def work(count):
        for _ in range(count):
            s = Session(url).start()
            b = s.battle()
            status, _, events = s.turn(b, "오늘 날씨 어때요?")
            assert status == 200 and events[-1][1]["completed"], events
            with lock:
                prepared.append({"cookie": s.cookie, "csrf": s.csrf, "battle": b})

    threads = [threading.Thread(target=work, args=(n // 8 + (1 if i < n % 8 else 0),)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w") as f:
        json.dump(prepared, f)
    print(f"prepared {len(prepared)} battles")


def vote(url, infile, acked):
    with open(infile) as f:
        prepared = json.load(f)
    lock = threading.Lock()
    out = open(acked, "a")
    votes = ["a", "b", "tie", "bothbad"]

    def work(items):
        for i, p in items:
            s = Session(url)
            s.cookie, s.csrf = p["cookie"], p["csrf"]
            try:
                status, body = s.vote(p["battle"], votes[i % 4])
            except Exception:
                return  # the server was killed
            if status == 200:
                with lock:
                    out.write(json.dumps({"battle": p["battle"], "vote_id": body["vote_id"], "vote": votes[i % 4]}) + "\n")
                    out.flush()

    items = list(enumerate(prepared))
    threads = [threading.Thread(target=work, args=(items[k::16],)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def check_acked(url, acked, token):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", "/api/admin/votes.jsonl", headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse()
    assert r.status == 200, r.status
    stored = {}
    for line in r.read().decode().splitlines():
        v = json.loads(line)
        stored[v["vote_id"]] = v
    acks = [json.loads(line) for line in open(acked) if line.strip()]
    winner = {"a": "model_a", "b": "model_b", "tie": "tie", "bothbad": "tie (bothbad)"}
    lost = [a for a in acks if a["vote_id"] not in stored or stored[a["vote_id"]]["winner"] != winner[a["vote"]]]
    print(f"acknowledged {len(acks)}, stored {len(stored)}, lost {len(lost)}")
    check(len(acks) > 0, "some votes were acknowledged before the kill")
    check(not lost, "every acknowledged vote survived SIGKILL")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "api":
        api(sys.argv[2])
    elif cmd == "prepare":
        prepare(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif cmd == "vote":
        vote(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "check":
        check_acked(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {cmd}")
