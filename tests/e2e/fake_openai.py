#!/usr/bin/env python3
"""A deliberately broken OpenAI-compatible server for end-to-end tests of kaieval's errors.

Usage: fake_openai.py MODE PORT_FILE. MODE is one of:
  html        answers every POST with an HTML page (not JSON)
  nologprobs  answers /v1/completions without logprobs, as a server without prompt logprobs
  huge        answers with a 80 MiB JSON body
  flaky       answers 503 with Retry-After: 0 to the first two requests, then a completion
  hostile     a chat model whose answers carry HTML and script payloads when the user's last
              message contains "payload" (for the browser test of the arena's sanitising)
It binds 127.0.0.1 on a free port, writes the port to PORT_FILE, and counts requests at GET /count.
"""
import http.server
import json
import os
import sys

MODE = sys.argv[1]
COUNT = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/count":
            self.send(200, json.dumps({"count": COUNT}))
        else:
            self.send(404, "{}")

    def do_POST(self):
        global COUNT
        COUNT += 1
        length = int(self.headers.get("Content-Length", "0"))
        request = self.rfile.read(length)
        if MODE == "html":
            self.send(200, "<html><body>Sign in to the proxy</body></html>", "text/html")
        elif MODE == "nologprobs":
            self.send(200, json.dumps({"choices": [{"index": 0, "text": "x", "logprobs": None,
                                                     "finish_reason": "length"}]}))
        elif MODE == "huge":
            self.send(200, '{"choices":[{"text":"' + "x" * (80 << 20) + '"}]}')
        elif MODE == "hostile":
            self.hostile(json.loads(request))
        elif MODE == "flaky" and COUNT <= 2:
            self.send(503, '{"error":{"message":"overloaded"}}', headers=[("Retry-After", "0")])
        else:
            self.send(200, json.dumps({"choices": [{"index": 0, "text": "fine",
                                                     "finish_reason": "stop"}]}))

    def hostile(self, request):
        last = request["messages"][-1]["content"]
        if "payload" in last:
            pieces = ["결과입니다.\n\n", "<script>window.__xss=1</script>\n\n",
                      '<img src=x onerror="window.__xss=1">\n\n',
                      "[link](javascript:window.__xss=1)\n\n", "**끝**"]
        else:
            pieces = ["## 답변\n\n", "- 첫째, 서울은 한국의 수도입니다.\n", "- 둘째, **한강**이 흐릅니다.\n"]
        if not request.get("stream"):
            self.send(200, json.dumps({"choices": [{"index": 0, "message": {
                "role": "assistant", "content": "".join(pieces)}, "finish_reason": "stop"}]}))
            return
        events = "".join("data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": p}}]}) + "\n\n"
                         for p in pieces)
        events += "data: " + json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}) + "\n\n"
        events += "data: [DONE]\n\n"
        self.send(200, events, "text/event-stream")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = sys.argv[2] + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.replace(tmp, sys.argv[2])
server.serve_forever()
