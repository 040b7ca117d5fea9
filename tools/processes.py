"""Child processes and what they use: free ports, log tails, resident memory, disk usage, watched runs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from common.settings import PROJECT_ROOT


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file, for an error message."""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def rss_tree(pid: int) -> int:
    """Resident memory in bytes of ``pid`` and all its descendants (``VmRSS`` from /proc; 0 for a gone process)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) in seconds that ``pid`` has used so far (/proc; 0 for a gone process)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def disk_usage(path: Path) -> int:
    """Bytes of the file ``path`` or of all files under the directory ``path`` (0 when it does not exist).

    The apparent size, as ``du --apparent-size --bytes`` counts it: the sum of the files' lengths. Allocated
    blocks would depend on the file system and can lag behind right after a write."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


@dataclass
class Watched:
    returncode: int
    seconds: float
    peak_rss: int  # bytes: max of the sampled process tree and the child's own ru_maxrss
    stdout: str
    stderr: str  # empty when the child wrote to this process's stderr
    broke: str = ""  # why the watchdog stopped it

    def failure(self, what: str) -> str:
        """Why the run failed, for a report: the watchdog's reason, or the exit status and last line of stderr."""
        if self.broke:
            return self.broke
        last = (self.stderr.strip().splitlines() or [""])[-1][:300]
        return f"{what} exited with {self.returncode}: {last}"


def run_watched(command: list[str], env: dict[str, str], max_rss: int | None = None,
                max_seconds: float | None = None, capture_stderr: bool = True) -> Watched:
    """Run ``command`` in ``PROJECT_ROOT``, sampling its process tree's memory; stop it (the whole process
    group) when its memory or its time passes a limit. ``capture_stderr=False`` lets its stderr (a progress
    bar) through to this process's."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=out,
                                   stderr=err if capture_stderr else None, start_new_session=True)
        peak = 0
        broke = ""
        done = threading.Event()

        def watch() -> None:
            nonlocal peak, broke
            while not done.wait(0.5):
                rss = rss_tree(process.pid)
                peak = max(peak, rss)
                elapsed = time.perf_counter() - started
                if max_rss is not None and rss > max_rss:
                    broke = f"resident memory {rss / 1e9:.1f} GB passed the limit of {max_rss / 1e9:.1f} GB"
                elif max_seconds is not None and elapsed > max_seconds:
                    broke = f"still running after {elapsed:.0f} s (limit {max_seconds:.0f} s)"
                else:
                    continue
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        watcher.join()
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Watched(process.returncode, seconds, max(peak, usage.ru_maxrss * 1024),
                       out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), broke)
