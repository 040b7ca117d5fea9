"""A local OpenAI-compatible ``/v1/chat/completions`` server for the tests. It stands in for the external
model service only, so the tests check our side of the contract: requests, streaming (SSE), errors,
hangs and time-outs."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_REPLY = "Strategin följs upp vartannat år [1]."


class FakeOpenAIServer:
    """Answers with ``reply(request)`` as plain JSON or SSE chunks; ``mode`` "error" answers 500 and "hang"
    accepts the request and never answers. Every request is recorded with its Authorization header."""

    def __init__(self, port: int = 0, mode: str = "ok",
                 reply: Callable[[dict], str] = lambda request: DEFAULT_REPLY) -> None:
        self.requests: list[dict] = []
        self.default_reply = self.reply = reply
        self.mode = mode  # ok | error | hang
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append({"path": self.path, "authorization": self.headers.get("Authorization", ""),
                                        **body})
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                if server.mode == "error":
                    self._json(500, {"error": {"message": "model crashed", "type": "server_error"}})
                    return
                if server.mode == "hang":
                    server.release.wait(30)
                    return
                content = server.reply(body)
                if body.get("stream"):
                    self._sse(content, body.get("model", ""))
                else:
                    self._json(200, {
                        "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
                        "model": body.get("model", ""),
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            def _json(self, status: int, data: dict) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _sse(self, content: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                pieces = re.findall(r"\S+\s*", content)
                for i in range(0, len(pieces), 3):
                    self._event(model, {"role": "assistant", "content": "".join(pieces[i:i + 3])}, None)
                    time.sleep(0.01)
                self._event(model, {}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, model: str, delta: dict, finish: str | None) -> None:
                chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()),
                         "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def authorizations(self) -> list[str]:
        return [r["authorization"] for r in self.requests]

    def env(self, timeout_s: float, api_key: str = "inte-hemlig") -> dict[str, str]:
        """The settings (environment variables) that point the assistant at this server."""
        return {"FSA_LLM_BACKEND": "openai", "FSA_LLM_BASE_URL": self.base_url, "FSA_LLM_MODEL": "testmodell",
                "FSA_LLM_API_KEY": api_key, "FSA_LLM_TIMEOUT_S": str(timeout_s)}

    def reset(self) -> None:
        """Back to answering ``default_reply`` with no requests recorded (and release any hung request)."""
        self.requests.clear()
        self.reply = self.default_reply
        self.mode = "ok"
        self.release.set()
        self.release = threading.Event()

    def start(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
