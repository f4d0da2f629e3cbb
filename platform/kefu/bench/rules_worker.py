"""The other process of `kefu bench rules --only reload` and of the hot-reload test.

Run as ``python -m kefu.bench.rules_worker COMPANY_ID POINT [--loop]`` with KEFU_DATABASE_URL,
KEFU_REDIS_URL and KEFU_SOCKETIO_CHANNEL set like the publishing process. It reads the facts as
one JSON line on stdin, decides once, waits until it hears announcements and prints ``ready``. Then:

- ``--loop``: decides in a tight loop and prints ``{"version": v, "rule": id, "t": monotonic}``
  each time the decision changes (CLOCK_MONOTONIC is shared by the processes of one machine);
  it stops when stdin closes;
- otherwise: prints that JSON for every line read from stdin (one decision per line).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any


def _line(decision: Any) -> str:
    return json.dumps({"version": decision.version, "rule": decision.rule_id,
                       "fallback": decision.fallback, "t": time.monotonic()})


def main(argv: list[str]) -> int:
    from kefu import create_app
    from kefu.decisions.runtime import runtime

    company_id, point = int(argv[0]), argv[1]
    loop = "--loop" in argv
    app = create_app({"KEFU_JOBS": "inprocess"})
    facts = json.loads(sys.stdin.readline())
    with app.app_context():
        rt = runtime()
        rt.decide(company_id, point, facts)  # starts the Redis listener
        if rt.redis_url and not rt.subscribed.wait(15):
            print("not subscribed", flush=True)
            return 1
        print("ready", flush=True)
        if not loop:
            for _ in sys.stdin:
                print(_line(rt.decide(company_id, point, facts)), flush=True)
            return 0
        stop = threading.Event()

        def wait_eof() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=wait_eof, daemon=True).start()
        last: tuple[Any, Any] | None = None
        while not stop.is_set():
            decision = rt.decide(company_id, point, facts)
            key = (decision.version, decision.rule_id)
            if key != last:
                print(_line(decision), flush=True)
                last = key
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
