"""Start and stop the bench's server processes, and read CPU time of processes from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests

_TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any KEFU_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env.update(extra)
    return env


def kefu_cmd(*args: str) -> list[str]:
    """The `kefu` command line run with this interpreter."""
    return [sys.executable, "-m", "kefu.cli", *args]


def run_checked(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> None:
    """Run a command to completion; raise with its output if it fails."""
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")


@dataclass
class Server:
    """One server process (its own process group) with its log file."""

    name: str
    role: str
    cmd: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the process in a new session so that stop() can end its whole group."""
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=self.cwd, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        """Poll /healthz until it answers 200; raise with the log tail otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def pids(self) -> list[int]:
        """The server's process and its descendants (gunicorn master and worker)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        return descendants(self.proc.pid)

    def stop(self, grace: float = 5) -> None:
        """Terminate the process group, kill it after `grace` seconds; idempotent."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _stat(pid: int) -> tuple[int, float] | None:
    """(ppid, cpu seconds) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _all_pids() -> Iterable[int]:
    return (int(p) for p in os.listdir("/proc") if p.isdigit())


def descendants(root: int) -> list[int]:
    """`root` and every process below it."""
    parents: dict[int, list[int]] = {}
    for pid in _all_pids():
        st = _stat(pid)
        if st is not None:
            parents.setdefault(st[0], []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def pids_named(*names: str) -> list[int]:
    """Processes whose command name is one of `names` (e.g. postgres, redis-server)."""
    out = []
    for pid in _all_pids():
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if comm in names:
            out.append(pid)
    return out


def cpu_of(pids: Iterable[int]) -> dict[int, float]:
    """CPU seconds used so far by each live process."""
    out = {}
    for pid in pids:
        st = _stat(pid)
        if st is not None:
            out[pid] = st[1]
    return out


def machine_busy() -> tuple[float, float, float]:
    """(busy, total, steal) CPU seconds of the whole machine since boot, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    steal = parts[7] if len(parts) > 7 else 0
    total = sum(parts[:8])
    return (total - idle) / _TICK, total / _TICK, steal / _TICK


class CpuMeter:
    """CPU seconds used by named groups of processes between start() and stop()."""

    def __init__(self, groups: dict[str, Any]) -> None:
        # each value is a callable returning the group's current pids
        self.groups = groups
        self.before: dict[str, dict[int, float]] = {}
        self.t0 = 0.0
        self.m0 = (0.0, 0.0, 0.0)
        self.result: dict[str, Any] = {}

    def start(self) -> None:
        """Take the first sample."""
        self.before = {name: cpu_of(get()) for name, get in self.groups.items()}
        self.t0 = time.monotonic()
        self.m0 = machine_busy()

    def stop(self) -> dict[str, Any]:
        """Take the second sample; return cpu seconds and cpu/wall per group."""
        wall = max(time.monotonic() - self.t0, 1e-9)
        busy, total, steal = machine_busy()
        out: dict[str, Any] = {"wall_s": round(wall, 3)}
        for name, get in self.groups.items():
            now = cpu_of(get())
            before = self.before.get(name, {})
            # a process born during the window counts from zero
            used = sum(v - before.get(pid, 0.0) for pid, v in now.items())
            out[name] = {"cpu_s": round(used, 3), "cpu_per_wall": round(used / wall, 3)}
        cores = (total - self.m0[1]) / wall
        busy_cores = (busy - self.m0[0]) / wall
        ours = sum(v["cpu_per_wall"] for k, v in out.items() if k != "wall_s")
        # what other processes on the host used meanwhile: a contended run reads worse
        out["machine"] = {"cores": round(cores, 2), "busy_cores": round(busy_cores, 3),
                          "steal_cores": round((steal - self.m0[2]) / wall, 3),
                          "other_processes_cores": round(max(0.0, busy_cores - ours), 3)}
        self.result = out
        return out
