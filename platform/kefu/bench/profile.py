"""Optional py-spy sampling of the servers during the measured window (KEFU_BENCH_PYSPY=dir)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from .procs import Server


class Profiler:
    """Run `py-spy record` on every server between start() and stop(); no-op if not asked."""

    def __init__(self, servers: list[Server], outdir: str | None, label: str) -> None:
        self.servers = servers
        self.outdir = Path(outdir) if outdir else None
        self.label = label
        self.procs: list[subprocess.Popen[bytes]] = []
        self.files: list[str] = []

    def start(self) -> None:
        """Start one sampler per server (collapsed stacks, readable as text)."""
        if self.outdir is None:
            return
        exe = shutil.which("py-spy")
        if exe is None:
            raise RuntimeError("KEFU_BENCH_PYSPY is set but py-spy is not installed")
        self.outdir.mkdir(parents=True, exist_ok=True)
        for s in self.servers:
            if s.proc is None:
                continue
            out = self.outdir / f"{self.label}-{s.name}.txt"
            self.files.append(str(out))
            self.procs.append(subprocess.Popen(
                [exe, "record", "--pid", str(s.proc.pid), "--subprocesses", "--format", "raw",
                 "--rate", "250", "--nonblocking", "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def stop(self) -> list[str]:
        """Stop the samplers so they write their files; return the file names."""
        for p in self.procs:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGINT)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        self.procs = []
        return self.files
