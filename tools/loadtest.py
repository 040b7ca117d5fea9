"""``python -m tools.loadtest``: the real chat server under concurrent users, and a memory soak.

Starts ``python -m ui`` on a free localhost port over a data directory (``--data-dir``, default the
configured one), or targets a running server (``--url``; ``--pid`` names its process for the memory
figures). Clients are threads that ask the questions of ``tools/eval/questions.jsonl`` through
Gradio's HTTP API (``POST /gradio_api/call/ask``, then the event stream ``GET …/ask/<event id>``),
one request after another without pause (a closed loop: the hardest case for a given number of users).

For each number of users (``--users 1,4,16,32``) it runs at most ``--requests`` questions or
``--seconds`` seconds, whichever comes first, and prints throughput, latency p50/p95/p99/max and errors.
An error is a failed HTTP call, an error event, a time-out, or an answer that differs from the answer the
same question got when asked alone (a sign of state shared unsafely between threads).

``--soak [SECONDS]`` (600 when given without a value) then keeps ``--soak-users`` users asking for that
long while sampling the server process's resident memory every ``--sample`` seconds, and prints the
start, end and maximum RSS and the slope of a least-squares line through the samples (MB/min), over the
whole soak and over its second half (after warm-up).

``--flood N`` adds, to every level, one more client that sends N questions (``POST …/call/ask``) as fast
as it can without waiting for the answers, and prints how many were accepted and how many got 429 from the
per-client rate limit. ``--history-kb K`` first asks a follow-up with three earlier questions of K kB each,
five times, and prints the latencies (the history bound of ``assistant/limits.py``).

Each user is its own client: it sends ``X-Forwarded-For: 10.77.<user>`` as a reverse proxy on the same
machine would, and the server trusts that header from loopback (``FSA_UI_TRUSTED_PROXIES``), so the rate
limit counts per user as it would behind a proxy in production. ``--one-client`` leaves the header out:
all users are then one client (127.0.0.1) and share one bucket. Each user also keeps one Gradio session
(``session_hash``), as a browser tab does; ``--no-sessions`` makes every question a new session.

Only localhost is targeted: ``--url`` must point at a loopback address.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

from common.settings import PROJECT_ROOT, get_settings
from index.layout import DataLayout
from tools.evaluate import DEFAULT_QUESTIONS, load_questions
from tools.output import log, text_table
from tools.processes import cpu_seconds, rss_tree
from tools.servers import ServerError, UIServer

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
REQUEST_TIMEOUT_S = 60.0


class LoadTestError(RuntimeError):
    pass


# =============================================================================================
# The client: Gradio's HTTP API
# =============================================================================================


_CLIENTS = itertools.count()  # every user of every level is a new client: one level's 429s do not carry over


def client_address(user: int) -> str:
    """The address user number ``user`` appears to come from (``X-Forwarded-For``)."""
    return f"10.77.{user // 250}.{user % 250 + 1}"


def ask_patiently(client: httpx.Client, base: str, question: str, history: list[str] | None = None,
                  session: str | None = None, attempts: int = 20) -> dict:
    """``ask_http``, waiting out a 429 as its ``Retry-After`` says (a well-behaved batch client)."""
    for _ in range(attempts - 1):
        try:
            return ask_http(client, base, question, history, session)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 429:
                raise
            time.sleep(float(exc.response.headers.get("retry-after", "1")))
    return ask_http(client, base, question, history, session)


def ask_http(client: httpx.Client, base: str, question: str, history: list[str] | None = None,
             session: str | None = None) -> dict:
    """One question through ``/gradio_api/call/ask``; returns the API's answer dict or raises.
    ``session``: Gradio's session hash, kept by a browser tab for all its questions; without it every
    call is a new session (as for a script calling the API), which costs the server a copy of the page's
    component configuration per call."""
    body: dict = {"data": [question, history or [], [], [], []]}
    if session:
        body["session_hash"] = session
    started = client.post(f"{base}gradio_api/call/ask", json=body)
    started.raise_for_status()
    event_id = started.json()["event_id"]
    event = ""
    with client.stream("GET", f"{base}gradio_api/call/ask/{event_id}") as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                payload = line.split(":", 1)[1].strip()
                if event == "complete":
                    data = json.loads(payload)
                    if not data or not isinstance(data[0], dict):
                        raise LoadTestError(f"unexpected answer: {payload[:200]}")
                    return data[0]
                if event == "error":
                    raise LoadTestError(f"error event: {payload[:200]}")
    raise LoadTestError(f"the event stream ended without an answer (last event {event!r})")


def signature(answer: dict) -> tuple:
    """What must not differ between two answers to the same question."""
    return (answer.get("answer"), answer.get("refused"),
            tuple((c["doc_id"], c["start"], c["end"]) for c in answer.get("citations", [])))


@dataclass
class Flood:
    """One client sending ``requests`` questions as fast as it can: the HTTP statuses it got."""

    requests: int
    statuses: dict[int | str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        accepted, limited = self.statuses.get(200, 0), self.statuses.get(429, 0)
        other = {k: v for k, v in self.statuses.items() if k not in (200, 429)}
        rate = self.requests / self.seconds if self.seconds else float("nan")
        return (f"flooding client: {self.requests} requests in {self.seconds:.1f} s ({rate:.0f}/s): "
                f"{accepted} accepted, {limited} refused with 429" + (f", other: {other}" if other else ""))


def run_flood(base: str, requests: int, address: str | None, flood: Flood) -> None:
    headers = {"x-forwarded-for": address} if address else {}
    started = time.perf_counter()
    with httpx.Client(timeout=REQUEST_TIMEOUT_S, trust_env=False, headers=headers) as client:
        for i in range(requests):
            try:
                status: int | str = client.post(f"{base}gradio_api/call/ask",
                                                json={"data": [f"Vad står BVC för? ({i})", [], [], [], []]}).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            flood.statuses[status] = flood.statuses.get(status, 0) + 1
    flood.seconds = time.perf_counter() - started


@dataclass
class Level:
    users: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mismatches: int = 0
    seconds: float = 0.0
    rss_after: int = 0
    server_cpu_s: float = 0.0  # CPU the server used during the level (0: unknown)
    client_cpu_s: float = 0.0  # CPU this process (the clients) used during the level
    flood: Flood | None = None

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]  # nearest rank


class Workload:
    """Questions handed out round-robin, with the answer each got when asked alone."""

    def __init__(self, questions: list[dict]) -> None:
        self.questions = questions
        self._cycle: Iterator[dict] = itertools.cycle(questions)
        self._lock = threading.Lock()
        self.reference: dict[str, tuple] = {}

    def next(self) -> dict:
        with self._lock:
            return next(self._cycle)


def run_level(base: str, workload: Workload, users: int, max_requests: int, max_seconds: float,
              pid: int | None, record_reference: bool = False, flood: int = 0, one_client: bool = False,
              patient: bool = False, sessions: bool = True) -> Level:
    level = Level(users)
    run_id = uuid.uuid4().hex[:8]
    budget = itertools.count()
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def user(number: int) -> None:
        headers = {} if one_client else {"x-forwarded-for": client_address(next(_CLIENTS))}
        session = f"loadtest-{run_id}-{number}" if sessions else None
        with httpx.Client(timeout=REQUEST_TIMEOUT_S, trust_env=False, headers=headers) as client:
            while time.monotonic() < deadline and next(budget) < max_requests:
                q = workload.next()
                t = time.perf_counter()
                try:
                    answer = (ask_patiently if patient else ask_http)(client, base, q["question"], q.get("history"),
                                                                         session)
                except Exception as exc:  # every failure counts; the run goes on
                    with lock:
                        level.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                elapsed = time.perf_counter() - t
                sig = signature(answer)
                with lock:
                    level.latencies.append(elapsed)
                    if record_reference:
                        workload.reference.setdefault(q["id"], sig)
                    elif q["id"] in workload.reference and workload.reference[q["id"]] != sig:
                        level.mismatches += 1
                        level.errors.append(f"answer to {q['id']} differs from its answer when asked alone")

    threads = [threading.Thread(target=user, args=(i,), name=f"user-{i}", daemon=True) for i in range(users)]
    if flood:
        level.flood = Flood(flood)
        threads.append(threading.Thread(target=run_flood, name="flood", daemon=True,
                                        args=(base, flood, None if one_client else "10.78.0.1", level.flood)))
    started, server_cpu, client_cpu = time.perf_counter(), cpu_seconds(pid) if pid else 0.0, time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + REQUEST_TIMEOUT_S + 30)
    level.seconds = time.perf_counter() - started
    level.client_cpu_s = time.process_time() - client_cpu
    if pid:
        level.server_cpu_s = cpu_seconds(pid) - server_cpu
    if pid:
        level.rss_after = rss_tree(pid)
    return level


def history_latencies(base: str, kb: float, times: int = 5, one_client: bool = False) -> list[float]:
    """A follow-up after three earlier questions of ``kb`` kB each, ``times`` times: the latencies."""
    earlier = "Vilka program finns för föräldrar till små barn? "
    filler = "föräldraskapsstöd familjecentral "
    history = [earlier + filler * int(kb * 1000 / len(filler.encode()))] * 3
    latencies = []
    headers = {} if one_client else {"x-forwarded-for": "10.79.0.1"}
    with httpx.Client(timeout=REQUEST_TIMEOUT_S, trust_env=False, headers=headers) as client:
        for _ in range(times):
            started = time.perf_counter()
            answer = ask_patiently(client, base, "Och för tonåringar då?", history)
            latencies.append(time.perf_counter() - started)
            if not answer.get("answer"):
                raise LoadTestError("no answer to the follow-up with a long history")
    return latencies


def reference_answers(base: str, workload: Workload) -> Level:
    """Every question once, alone: the answers later concurrent runs must reproduce. One client asking one
    question after another exceeds the rate limit (about 20 questions a second, two requests each); it
    waits out the 429s as ``Retry-After`` says, and the levels measure the users."""
    return run_level(base, workload, 1, len(workload.questions), 3600, None, record_reference=True, patient=True)


# =============================================================================================
# Soak
# =============================================================================================


@dataclass
class Soak:
    seconds: float
    users: int
    samples: list[tuple[float, int]]  # (seconds since start, rss bytes)
    level: Level

    @staticmethod
    def slope_mb_per_min(samples: list[tuple[float, int]]) -> float:
        if len(samples) < 2:
            return float("nan")
        xs = [t / 60 for t, _ in samples]
        ys = [r / 1e6 for _, r in samples]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        den = sum((x - mx) ** 2 for x in xs)
        return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


def run_soak(base: str, workload: Workload, pid: int, seconds: float, users: int, every: float) -> Soak:
    samples: list[tuple[float, int]] = []
    stop = threading.Event()
    started = time.monotonic()

    def sample() -> None:
        while not stop.is_set():
            samples.append((time.monotonic() - started, rss_tree(pid)))
            stop.wait(every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    level = run_level(base, workload, users, 10**9, seconds, pid, patient=True)  # waits out 429s as told
    stop.set()
    sampler.join()
    samples.append((time.monotonic() - started, rss_tree(pid)))
    return Soak(seconds, users, samples, level)


# =============================================================================================
# Output
# =============================================================================================


def format_levels(levels: list[Level]) -> str:
    header = ["users", "requests", "errors", "req/s", "p50 s", "p95 s", "p99 s", "max s", "RSS MB",
              "server CPU ms/q", "client CPU ms/q"]
    rows = [header]
    for lv in levels:
        rows.append([str(lv.users), str(lv.requests), str(len(lv.errors)), f"{lv.throughput:.2f}",
                     f"{lv.percentile(0.50):.3f}", f"{lv.percentile(0.95):.3f}", f"{lv.percentile(0.99):.3f}",
                     f"{max(lv.latencies, default=float('nan')):.3f}",
                     f"{lv.rss_after / 1e6:.0f}" if lv.rss_after else "-",
                     f"{lv.server_cpu_s / lv.requests * 1e3:.1f}" if lv.server_cpu_s and lv.requests else "-",
                     f"{lv.client_cpu_s / lv.requests * 1e3:.1f}" if lv.requests else "-"])
    table = text_table(rows, left_columns=0)
    floods = [f"  {lv.users} users: {lv.flood.summary()}" for lv in levels if lv.flood is not None]
    return "\n".join([table, *floods])


def format_soak(soak: Soak) -> str:
    rss = [r for _, r in soak.samples]
    half = [s for s in soak.samples if s[0] >= soak.seconds / 2]
    quarter = [s for s in soak.samples if s[0] >= soak.seconds * 3 / 4]
    lv = soak.level
    return "\n".join([
        f"soak: {soak.seconds:.0f} s, {soak.users} users, {lv.requests} requests, {len(lv.errors)} errors, "
        f"{lv.throughput:.2f} req/s, p50 {lv.percentile(0.5):.3f} s, p95 {lv.percentile(0.95):.3f} s, "
        f"p99 {lv.percentile(0.99):.3f} s",
        f"server RSS: start {rss[0] / 1e6:.1f} MB, end {rss[-1] / 1e6:.1f} MB, max {max(rss) / 1e6:.1f} MB, "
        f"min {min(rss) / 1e6:.1f} MB ({len(rss)} samples)",
        f"RSS slope: {Soak.slope_mb_per_min(soak.samples):+.3f} MB/min over the whole soak, "
        f"{Soak.slope_mb_per_min(half):+.3f} MB/min over its second half, "
        f"{Soak.slope_mb_per_min(quarter):+.3f} MB/min over its last quarter",
    ])


# =============================================================================================
# Main
# =============================================================================================


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server on localhost (default: start python -m ui)")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, for the memory figures")
    parser.add_argument("--data-dir", type=Path, help="data directory of the started server (default: settings)")
    parser.add_argument("--concurrency", type=int, help="questions the started server answers at the same time "
                                                        "(FSA_UI_CONCURRENCY; default: the setting)")
    parser.add_argument("--users", default="1,4,16,32", help="numbers of concurrent users (default: 1,4,16,32; "
                                                             "'' for none)")
    parser.add_argument("--requests", type=int, default=200, help="questions per level at most (default: 200)")
    parser.add_argument("--seconds", type=float, default=120, help="seconds per level at most (default: 120)")
    parser.add_argument("--soak", type=float, nargs="?", const=600.0, default=None, metavar="SECONDS",
                        help="then a memory soak of SECONDS (600 when given without a value)")
    parser.add_argument("--soak-users", type=int, default=4, help="users during the soak (default: 4)")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples (default: 5)")
    parser.add_argument("--samples", type=Path, help="write the soak's RSS samples to this CSV file")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="questions (JSON lines)")
    parser.add_argument("--flood", type=int, default=0, metavar="N",
                        help="one more client per level sends N questions as fast as it can (default: none)")
    parser.add_argument("--history-kb", type=float, default=0, metavar="K",
                        help="first ask a follow-up after 3 earlier questions of K kB each, 5 times")
    parser.add_argument("--one-client", action="store_true",
                        help="send no X-Forwarded-For: all users are one client to the rate limit")
    parser.add_argument("--no-sessions", action="store_true",
                        help="users send no Gradio session hash: every question is a new session, as for a "
                             "script calling the API (default: each user keeps one session, as a browser tab)")
    parser.add_argument("--no-limits", action="store_true",
                        help="start the server without its per-client rate limits (FSA_UI_RATE_PER_S=0, "
                             "FSA_UI_POST_RATE_PER_S=0), to compare")
    parser.add_argument("--no-check", action="store_true", help="do not compare answers with the answers "
                                                                "asked alone")
    parser.add_argument("--log", type=Path, default=PROJECT_ROOT / "test-artifacts" / "loadtest-server.log",
                        help="log file of the started server")
    args = parser.parse_args(argv)
    try:
        users = [int(u) for u in args.users.split(",") if u.strip()]
    except ValueError:
        parser.error("--users takes numbers separated by commas")
    if any(u < 1 for u in users) or args.requests < 1 or args.seconds <= 0 or args.soak_users < 1:
        parser.error("users, requests and seconds must be positive")
    if args.soak is not None and args.soak <= 0:
        parser.error("--soak must be positive")

    questions = load_questions(args.questions)
    if not questions:
        print(f"error: no questions in {args.questions}", file=sys.stderr)
        return 2
    workload = Workload(questions)

    server: UIServer | None = None
    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in LOOPBACK:
            print(f"error: --url must be a localhost address, not {host!r}", file=sys.stderr)
            return 2
        base, pid = args.url.rstrip("/") + "/", args.pid
    else:
        data_dir = (args.data_dir or get_settings().data_dir).resolve()
        if not DataLayout(data_dir).manifest.exists():
            print(f"error: no index in {data_dir}; run python -m ingest first", file=sys.stderr)
            return 2
        log(f"starting python -m ui over {data_dir} (log: {args.log}) …")
        try:
            env = {"FSA_UI_CONCURRENCY": str(args.concurrency)} if args.concurrency else {}
            if args.no_limits:
                env.update({"FSA_UI_RATE_PER_S": "0", "FSA_UI_POST_RATE_PER_S": "0"})
            server = UIServer(data_dir, args.log, env).start()
        except ServerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        base, pid = server.url, server.pid
    try:
        limit = str(args.concurrency or ("unknown" if args.url else get_settings().ui_concurrency))
        log(f"server {base} (pid {pid or 'unknown'}; /ask concurrency limit {limit}); "
            f"{len(questions)} questions; reference answers, one at a time …")
        load_before = os.getloadavg()[0]
        history = None
        if args.history_kb > 0:
            log(f"a follow-up after 3 × {args.history_kb:g} kB of history, 5 times …")
            history = history_latencies(base, args.history_kb, one_client=args.one_client)
        reference = reference_answers(base, workload) if not args.no_check else None
        if reference is not None and reference.errors:
            print(f"error: the server failed answering alone: {reference.errors[0]}", file=sys.stderr)
            return 1
        levels: list[Level] = []
        for n in users:
            log(f"{n} concurrent users: at most {args.requests} questions or {args.seconds:.0f} s …")
            levels.append(run_level(base, workload, n, args.requests, args.seconds, pid, flood=args.flood,
                                    one_client=args.one_client, sessions=not args.no_sessions))
        print(f"Load test: {base}, /ask concurrency limit {limit}, {os.cpu_count()} CPUs, "
              f"closed loop (no pause between questions), {len(questions)} questions round-robin; "
              f"load average before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f} (other processes "
              "on the machine share the CPUs)")
        print("clients: " + ("all users one client (no X-Forwarded-For)" if args.one_client else
                             "one per user (X-Forwarded-For 10.77.x.y, trusted from loopback)")
              + ("; the server's rate limits are off (--no-limits)" if args.no_limits else "")
              + ("; a new session per question (--no-sessions)" if args.no_sessions else
                 "; one session per user"))
        if history is not None:
            print(f"follow-up after 3 × {args.history_kb:g} kB of history: "
                  + ", ".join(f"{t:.3f}" for t in history) + f" s (max {max(history):.3f} s)")
        if reference is not None:
            print(f"each question asked alone first: {reference.requests} requests, p50 "
                  f"{reference.percentile(0.5):.3f} s, p95 {reference.percentile(0.95):.3f} s")
        if levels:
            print(format_levels(levels))
        failures = [e for lv in levels for e in lv.errors]
        for error in sorted(set(failures))[:10]:
            print(f"  error: {error}")
        soak = None
        if args.soak is not None:
            if not pid:
                print("error: --soak needs the server's process id (start it here or pass --pid)", file=sys.stderr)
                return 2
            log(f"soak: {args.soak_users} users for {args.soak:.0f} s, RSS every {args.sample:g} s …")
            soak_load = os.getloadavg()[0]
            soak = run_soak(base, workload, pid, args.soak, args.soak_users, args.sample)
            print(format_soak(soak))
            if args.samples:
                rows = "".join(f"{t:.1f},{r / 1e6:.1f}\n" for t, r in soak.samples)
                args.samples.write_text("seconds,rss_mb\n" + rows, encoding="utf-8")
                print(f"RSS samples written to {args.samples}")
            print(f"load average before/after the soak: {soak_load:.1f}/{os.getloadavg()[0]:.1f}")
            failures += soak.level.errors
            for error in sorted(set(soak.level.errors))[:10]:
                print(f"  error: {error}")
        return 1 if failures else 0
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
