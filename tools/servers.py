"""Real servers on a free localhost port, for the tools and the tests: ``UIServer`` (``python -m ui``) and
``ChromaServer`` (``chroma run``). Each runs in its own process group with its output in a log file, and is
a context manager (``with UIServer(…) as ui``) or started and stopped with ``start()`` and ``stop()``; a
stopped server starts again on the same port.

Importing this module keeps loopback out of any HTTP proxy in this process (``ui.bypass_proxy_for_loopback``):
a proxy set for the package registries (as in CI) must not carry the requests to these servers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

import httpx

import ui
from common.settings import PROJECT_ROOT
from tools.processes import free_port, log_tail

# Importing ui adds loopback to NO_PROXY already; the call stays here should that ever move.
if "127.0.0.1" not in (os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or "").split(","):
    ui.bypass_proxy_for_loopback()


class ServerError(RuntimeError):
    pass


class ServerProcess:
    """A server process on ``self.port``; subclasses say how to start it and when it is ready."""

    name = "server"
    start_timeout = 60.0

    def __init__(self, log_path: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.started = 0.0  # time.perf_counter() at the last start
        self.ready_seconds = 0.0  # from the start to the first answer

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str] | None:
        return None  # this process's environment

    def ready(self) -> bool:
        """Whether the server answers on its port."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def start(self, timeout: float | None = None) -> Self:
        """Start the server and wait until it answers; a restart appends to the log."""
        timeout = timeout or self.start_timeout
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.started = time.perf_counter()
        with open(self.log_path, "ab" if self.process else "wb") as log:
            self.process = subprocess.Popen(self.command(), cwd=PROJECT_ROOT, env=self.env(), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited with {self.process.returncode}; last lines of "
                                  f"{self.log_path}:\n{log_tail(self.log_path)}")
            if self.ready():
                self.ready_seconds = time.perf_counter() - self.started
                return self
            time.sleep(0.2)
        self.stop()
        raise ServerError(f"{self.name} did not answer on port {self.port} within {timeout:.0f} s; last lines of "
                          f"{self.log_path}:\n{log_tail(self.log_path)}")

    def stop(self, timeout: float = 20) -> None:
        """Stop the server's process group: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class UIServer(ServerProcess):
    """``python -m ui`` over ``data_dir``; ``env`` adds settings (``FSA_…``) to this process's environment."""

    name = "python -m ui"
    start_timeout = 180.0

    def __init__(self, data_dir: Path, log_path: Path, env: dict[str, str] | None = None) -> None:
        super().__init__(log_path)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.data_dir = data_dir
        self.extra_env = env or {}

    def command(self) -> list[str]:
        return [sys.executable, "-m", "ui", "--host", "127.0.0.1", "--port", str(self.port)]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FSA_UI_")}
        env.update({"FSA_DATA_DIR": str(self.data_dir), "GRADIO_ANALYTICS_ENABLED": "False",
                    "OMP_WAIT_POLICY": "PASSIVE", **self.extra_env})
        return env

    def ready(self) -> bool:
        try:
            return httpx.get(self.url, timeout=2, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False


class ChromaServer(ServerProcess):
    """``chroma run`` with its data in ``path``; its log is ``log_path`` (default: ``chroma-<port>.log`` beside
    ``path``)."""

    name = "chroma run"

    def __init__(self, path: Path, log_path: Path | None = None, port: int | None = None) -> None:
        port = port or free_port()
        super().__init__(log_path or path.parent / f"chroma-{port}.log", port)
        self.path = path

    def command(self) -> list[str]:
        chroma = Path(sys.executable).with_name("chroma")
        return [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]


class LlamaCppServer(ServerProcess):
    """llama.cpp's OpenAI-compatible server (``python -m llama_cpp.server``, from ``pip install
    'llama-cpp-python[server]'``) over one GGUF file; ready when ``/v1/models`` answers."""

    name = "llama_cpp.server"
    start_timeout = 300.0

    def __init__(self, model_path: Path, log_path: Path, threads: int = 2, context: int = 4096) -> None:
        super().__init__(log_path)
        self.model_path = model_path
        self.threads = threads
        self.context = context
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_path), "--n_ctx", str(self.context),
                "--n_threads", str(self.threads), "--host", "127.0.0.1", "--port", str(self.port)]

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/models", timeout=2, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False
