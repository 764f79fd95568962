#!/usr/bin/env python3
"""A fake Hugging Face Hub for the lineage crawl test, on loopback.

Usage: fake_hub.py PORT_FILE LOG_FILE [--fail-after N]
Serves GET /api/models?filter=base_model:[RELATION:]ORG/NAME (two models a page, a Link
rel="next" header with a cursor) and GET /api/models/ORG/NAME. The first request for any
second page gets a 429 with Retry-After: 1; the first request for a third page a 429 with only
an IETF RateLimit header (each once per server). With --fail-after N every request after the Nth gets a 503.
Each request is logged as one JSON line: path, query, status, authorization.
"""
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = 2


def model(mid, bases, relation, files, downloads, created, tags=(), card=None):
    author = mid.split("/")[0]
    tag_list = list(tags)
    for b in bases:
        tag_list += [f"base_model:{b}", f"base_model:{relation}:{b}"]
    card = dict(card or {})
    if bases:
        card["base_model"] = bases[0] if len(bases) == 1 else bases
    return {
        "id": mid, "author": author, "createdAt": created + "T10:00:00.000Z",
        "downloads": downloads, "likes": 1, "tags": tag_list, "cardData": card,
        "siblings": [{"rfilename": f, "size": s} for f, s in files],
    }


ST = [("model.safetensors", 5000)]
MODELS = [
    model("hanul-ai/hanul-7b", [], None, ST, 9000, "2025-09-01"),
    model("dalbit-lab/dalbit-5b", [], None, [("model.safetensors", 7000)], 5000, "2025-09-02"),
]
for i in range(5):  # direct derivatives of hanul: two pages and a half
    MODELS.append(model(f"user{i}/hanul-7b-sft-{i}", ["hanul-ai/hanul-7b"], "finetune",
                        [("model.safetensors", 6000 + i)], 10 + i, "2025-10-0%d" % (i + 1),
                        tags=["trl"]))
for i in range(3):
    MODELS.append(model(f"quanter/hanul-7b-Q{i + 2}-GGUF", ["hanul-ai/hanul-7b"], "quantized",
                        [(f"hanul-7b-Q{i + 2}.gguf", 2000 + i)], 50, "2025-10-10", tags=["gguf"]))
MODELS.append(model("user0/hanul-sft-0-lora", ["user0/hanul-7b-sft-0"], "adapter",
                    [("adapter_config.json", 300), ("adapter_model.safetensors", 80)], 3,
                    "2025-11-01"))
MODELS.append(model("user9/hanul-lora-merged", ["user0/hanul-sft-0-lora"], "finetune",
                    [("model.safetensors", 6100)], 4, "2025-11-05", tags=["sft"]))
for i in range(3):
    MODELS.append(model(f"user{i}/dalbit-5b-sft", ["dalbit-lab/dalbit-5b"], "finetune",
                        [("model.safetensors", 7100 + i)], 8, "2025-10-20", tags=["trl"]))
MODELS.append(model("merger/hanul-dalbit-merge", ["hanul-ai/hanul-7b", "dalbit-lab/dalbit-5b"],
                    "merge", [("model.safetensors", 9999)], 20, "2025-11-10"))
BY_ID = {m["id"].lower(): m for m in MODELS}


class State:
    lock = threading.Lock()
    requests = 0
    limited = set()


class Hub(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": self.url.path, "query": self.query, "status": status,
                                "authorization": self.headers.get("Authorization")}) + "\n")

    def do_GET(self):
        self.url = urllib.parse.urlparse(self.path)
        self.query = urllib.parse.parse_qs(self.url.query)
        with State.lock:
            State.requests += 1
            n = State.requests
        if FAIL_AFTER is not None and n > FAIL_AFTER:
            return self.reply(503, {"error": "down"})
        if self.url.path.startswith("/api/models/"):
            m = BY_ID.get(self.url.path[len("/api/models/"):].lower())
            return self.reply(200, m) if m else self.reply(404, {"error": "not found"})
        if self.url.path != "/api/models":
            return self.reply(404, {"error": "no route"})
        if "expand[]" not in self.query or "siblings" not in self.query["expand[]"]:
            return self.reply(400, {"error": "expand[]=siblings missing"})
        tag = self.query.get("filter", [""])[0]
        cursor = int(self.query.get("cursor", ["0"])[0])
        limit = min(int(self.query.get("limit", ["1000"])[0]), PAGE)
        key = cursor  # each kind of 429 once per server
        with State.lock:
            first = key not in State.limited
            State.limited.add(key)
        if cursor == PAGE and first:
            return self.reply(429, {"error": "slow down"}, [("Retry-After", "1")])
        if cursor == 2 * PAGE and first:
            return self.reply(429, {"error": "slow down"}, [("RateLimit", '"api";r=0;t=1')])
        hits = [m for m in MODELS if tag.lower() in (t.lower() for t in m["tags"])]
        page = hits[cursor:cursor + limit]
        headers = []
        if cursor + limit < len(hits):
            q = dict(self.query)
            q["cursor"] = [str(cursor + limit)]
            url = f"http://127.0.0.1:{self.server.server_port}/api/models?" + \
                urllib.parse.urlencode(q, doseq=True)
            headers.append(("Link", f'<{url}>; rel="next"'))
        return self.reply(200, page, headers)


if __name__ == "__main__":
    PORT_FILE, LOG = sys.argv[1], sys.argv[2]
    FAIL_AFTER = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--fail-after" else None
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    with open(PORT_FILE + ".tmp", "w") as f:
        f.write(str(server.server_port))
    import os
    os.rename(PORT_FILE + ".tmp", PORT_FILE)
    server.serve_forever()
