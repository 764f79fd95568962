"""A judge endpoint with a fixed latency, for bench/judge.sh: an OpenAI-compatible
/v1/chat/completions that waits LATENCY seconds and answers "Rating: [[7]]". It counts the
requests in flight and writes the most it saw to MAXFILE at exit (SIGTERM).
Usage: fake_judge.py LATENCY PORTFILE MAXFILE"""
import json, signal, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

latency, port_file, max_file = float(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
state = {"now": 0, "max": 0, "served": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(latency)
        with lock:
            state["now"] -= 1
            state["served"] += 1
        out = json.dumps({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "Fine answer. Rating: [[7]]"}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


server = Server(("127.0.0.1", 0), Handler)


def stop(*_):
    with open(max_file, "w") as f:
        f.write(f"{state['max']} {state['served']}\n")
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
