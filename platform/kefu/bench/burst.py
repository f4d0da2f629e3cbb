"""A visitor burst against a small team on the distributed stack: what routing did, as observed.

Two gunicorn (gevent) web processes and a `kefu worker` on a fresh PostgreSQL database and
Redis db; agents and visitors are real python-socketio clients spread over both processes.
Agents close each chat after a random handle time, some go offline and online again during
the run, and visitors send their first message in a Poisson burst. Nothing is judged here:
`burst_check` turns the observation into problems.

    python -m kefu.bench.burst --visitors 500 --agents 20 --capacity 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import socketio

from .procs import Server, clean_env, free_port, kefu_cmd, run_checked
from .seed import AGENT_PASSWORD, login_all, make_app
from .stack import BENCH_ENV, _fresh_postgres

CONNECT_PARALLEL = 16
RESENDS = 5
CALL_TIMEOUT = 45  # seconds a client waits for an ack: more than the server's 30 s pool wait
VIP_LEVEL = 3


@dataclass
class Plan:
    """The shape of one run."""

    visitors: int = 500
    agents: int = 20
    capacity: int = 5
    vip_share: float = 0.15  # visitors with VIP level 3: the routing rule queues them first
    arrival_rate: float = 40.0  # first messages per second, Poisson
    handle: tuple[float, float] = (2.0, 6.0)  # seconds an agent keeps a chat (uniform)
    togglers: int = 8  # agents that go offline and online during the run
    online_for: tuple[float, float] = (0.5, 2.0)
    offline_for: tuple[float, float] = (0.3, 1.2)
    serve_within: float = 90.0  # seconds from the first message until the last is served
    seed: int = 1


@dataclass
class Observed:
    """Everything the checks look at: database rows and what the clients saw (epoch seconds)."""

    plan: Plan
    agent_ids: list[int] = field(default_factory=list)
    capacity: dict[int, int] = field(default_factory=dict)
    visitor_ids: list[int] = field(default_factory=list)
    vip: list[bool] = field(default_factory=list)
    t_first_send: float = 0.0
    t_last_send: float = 0.0
    t_all_served: float | None = None
    # clients
    sent: dict[str, float] = field(default_factory=dict)  # client id -> send time
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # client id -> ack payload
    resends: dict[str, int] = field(default_factory=dict)  # client id -> resends after errors
    agent_assigned: list[tuple[int, int, float]] = field(default_factory=list)  # (agent, conv, t)
    agent_max_held: dict[int, int] = field(default_factory=dict)
    close_errors: list[str] = field(default_factory=list)
    close_retries: int = 0  # closes tried again after a server error or no answer
    status_retries: int = 0  # status changes tried again after a server error
    status_errors: list[str] = field(default_factory=list)
    offline_windows: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    visitor_assigned: dict[int, list[tuple[int, int | None, float]]] = field(default_factory=dict)
    visitor_queued: dict[int, float] = field(default_factory=dict)  # first conversation.queued
    # a poller reading the committed state every few ms: when each conversation was first seen
    # queued (its queueing had committed by then), and the most active chats an agent had in one
    # snapshot
    seen_queued: dict[int, float] = field(default_factory=dict)
    snapshot_max_active: dict[int, int] = field(default_factory=dict)
    polls: int = 0
    # database
    conversations: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)
    visitor_messages: list[tuple[int, str | None]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


# --- the system ---------------------------------------------------------------------------

@dataclass
class System:
    """The processes of a run and the app this process uses to seed and read the database."""

    workdir: Path
    env: dict[str, str]
    webs: list[Server]
    worker: Server
    app_config: dict[str, Any]

    def start(self) -> None:
        """Start the web processes and the worker; wait for the web processes' /healthz."""
        for s in [*self.webs, self.worker]:
            s.start()
        for s in self.webs:
            s.wait_ready()
        if self.worker.proc is not None and self.worker.proc.poll() is not None:
            raise RuntimeError(f"worker exited:\n{self.worker.log_tail()}")

    def stop(self) -> None:
        """Stop every process (idempotent)."""
        for s in [*self.webs, self.worker]:
            s.stop()

    def logs(self) -> str:
        """The tails of every process's log."""
        return "\n".join(f"--- {s.name} ---\n{s.log_tail()}" for s in [*self.webs, self.worker])


def build_system(workdir: Path, database_url: str, redis_url: str) -> System:
    """A fresh database (migrated) and Redis db; two gunicorn web processes and one rq worker."""
    import redis

    secret = secrets.token_hex(24)
    db_url = _fresh_postgres(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = clean_env(KEFU_INSTANCE_PATH=str(instance), KEFU_SECRET_KEY=secret,
                    KEFU_DATABASE_URL=db_url, KEFU_REDIS_URL=redis_url,
                    KEFU_SOCKETIO_CHANNEL=f"kefu-burst-{os.getpid()}", **BENCH_ENV)
    run_checked(kefu_cmd("db", "upgrade"), env, workdir)
    webs = []
    for name in ("web-a", "web-b"):
        port = free_port()
        cmd = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1",
               "-b", f"127.0.0.1:{port}", "--graceful-timeout", "3",
               "-c", "python:kefu.bench.gunicorn_conf", "kefu:create_app()"]
        webs.append(Server(name, "web", cmd, {**env, "KEFU_SOCKETIO_ASYNC_MODE": "gevent"},
                           workdir, port, workdir / f"{name}.log"))
    worker = Server("worker", "jobs", kefu_cmd("worker"), env, workdir, 0, workdir / "worker.log")
    config = {"SQLALCHEMY_DATABASE_URI": db_url, "KEFU_REDIS_URL": "", "KEFU_JOBS": "inprocess",
              "SECRET_KEY": secret, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 2}}
    return System(workdir, env, webs, worker, config)


def seed(app: Any, plan: Plan, obs: Observed) -> tuple[list[str], list[str]]:
    """Company, one skill group, online agents, a VIP-first routing ruleset, visitors.

    Returns (agent emails, visitor tokens). Presence grace is long and chats stay with an agent
    who goes offline, so only this run's own status changes move capacity.
    """
    from kefu.channels.models import Channel
    from kefu.decisions.actions import do_publish
    from kefu.extensions import db
    from kefu.org.actions import do_create_company, do_create_user, do_set_status
    from kefu.org.models import SkillGroup
    from kefu.settings.actions import do_save
    from kefu.settings.queries import company_settings
    from kefu.visitors.actions import check_open_session
    from kefu.visitors.models import Visitor

    rng = random.Random(plan.seed)
    with app.app_context():
        company = do_create_company(None, "Burst Co", "burst", "owner@burst.test", "Owner",
                                    "burst-owner-pass-1")
        settings = company_settings(company.id)
        settings.presence_grace_seconds = 3600
        settings.offline_chats = "stay"
        do_save(None, settings, created=settings.id is None)
        group = do_save(None, SkillGroup(company_id=company.id, name="burst"), created=True)
        do_publish(company.id, "routing", {"rules": [{
            "id": "vip", "name": "VIP first", "enabled": True, "continue": False,
            "when": {"all": [{"field": "vip_level", "op": "gte", "value": 2}]},
            "then": [{"action": "priority", "params": {"level": "high"}}],
        }]}, source="editor", note="burst: VIPs first, one group")
        emails = []
        for i in range(plan.agents):
            user = do_create_user(None, company.id, f"agent{i}@burst.test", f"Agent {i}",
                                  AGENT_PASSWORD, max_concurrent=plan.capacity, group_ids=[group.id])
            do_set_status(user, "online")
            emails.append(user.email)
            obs.agent_ids.append(user.id)
            obs.capacity[user.id] = plan.capacity
        channel = do_save(None, Channel(company_id=company.id, name="burst-web", kind="web",
                                        skill_group_id=group.id), created=True)
        tokens = []
        for _ in range(plan.visitors):
            out = check_open_session(channel, {}, "127.0.0.1", "kefu-burst")
            tokens.append(out["token"])
            obs.visitor_ids.append(out["visitor"].id)
            obs.vip.append(rng.random() < plan.vip_share)
        vips = [vid for vid, v in zip(obs.visitor_ids, obs.vip, strict=True) if v]
        for visitor in db.session.query(Visitor).filter(Visitor.id.in_(vips)):
            visitor.vip_level = VIP_LEVEL  # no action sets it yet (a CRM field); as the tests do
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return emails, tokens


def read_back(app: Any, obs: Observed) -> None:
    """Copy the conversations, segments and visitor messages of the run into `obs`."""
    from sqlalchemy import select

    from kefu.conversations.models import Conversation, ConversationSegment, Message
    from kefu.extensions import db

    def ts(value: Any) -> float | None:
        return value.timestamp() if value is not None else None

    with app.app_context():
        for c in db.session.scalars(select(Conversation).order_by(Conversation.id)):
            obs.conversations.append({
                "id": c.id, "visitor_id": c.visitor_id, "skill_group_id": c.skill_group_id,
                "priority": c.priority, "status": c.status, "agent_id": c.agent_id,
                "queued_at": ts(c.queued_at), "assigned_at": ts(c.assigned_at),
                "closed_at": ts(c.closed_at), "end_reason": c.end_reason})
        for s in db.session.scalars(select(ConversationSegment).order_by(ConversationSegment.id)):
            obs.segments.append({"id": s.id, "conversation_id": s.conversation_id,
                                 "agent_id": s.agent_id, "assigned_at": ts(s.assigned_at),
                                 "ended_at": ts(s.ended_at), "end_kind": s.end_kind})
        obs.visitor_messages = [
            (int(r[0]), r[1]) for r in db.session.execute(
                select(Message.conversation_id, Message.client_msg_id)
                .where(Message.sender_kind == "visitor"))]
        db.session.remove()
        db.engine.dispose()


class Poller:
    """Read the conversations' committed state in a loop from a thread of its own."""

    def __init__(self, db_url: str, obs: Observed, pause: float = 0.01) -> None:
        self.db_url, self.obs, self.pause = db_url, obs, pause
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="burst-poller", daemon=True)
        self.error: BaseException | None = None

    def __enter__(self) -> Poller:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop_event.set()
        self.thread.join(10)

    def _run(self) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.db_url, pool_size=1)
        query = sa.text("SELECT id, status, agent_id FROM conversation")
        obs = self.obs
        try:
            with engine.connect() as conn:
                while not self.stop_event.is_set():
                    rows = conn.execute(query).all()
                    conn.rollback()
                    now = time.time()  # the snapshot was taken before this instant
                    active: dict[int, int] = {}
                    for conv_id, status, agent_id in rows:
                        if status == "queued" and conv_id not in obs.seen_queued:
                            obs.seen_queued[conv_id] = now
                        elif status == "active" and agent_id is not None:
                            active[agent_id] = active.get(agent_id, 0) + 1
                    for agent_id, n in active.items():
                        if n > obs.snapshot_max_active.get(agent_id, 0):
                            obs.snapshot_max_active[agent_id] = n
                    obs.polls += 1
                    time.sleep(self.pause)
        except BaseException as exc:  # reported by the checks, not lost in a thread
            self.error = exc
        finally:
            engine.dispose()


# --- the clients --------------------------------------------------------------------------

class Driver:
    """The agents' and visitors' sockets and what they do, on one asyncio loop."""

    def __init__(self, plan: Plan, obs: Observed, bases: list[str], cookies: list[str],
                 tokens: list[str], deadline: float) -> None:
        self.plan, self.obs, self.bases = plan, obs, bases
        self.cookies, self.tokens, self.deadline = cookies, tokens, deadline
        self.rng = random.Random(plan.seed + 1)
        self.agents = [socketio.AsyncClient(reconnection=False) for _ in cookies]
        self.visitors = [socketio.AsyncClient(reconnection=False) for _ in tokens]
        self.held: dict[int, set[int]] = {a: set() for a in obs.agent_ids}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.served: set[int] = set()  # visitor indexes that heard conversation.assigned
        self.stop_toggling = asyncio.Event()

    def _task(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _on_agent_assigned(self, i: int, data: dict[str, Any]) -> None:
        agent = self.obs.agent_ids[i]
        conv = int(data["conversation"]["id"])
        self.obs.agent_assigned.append((agent, conv, time.time()))
        held = self.held[agent]
        held.add(conv)
        self.obs.agent_max_held[agent] = max(self.obs.agent_max_held.get(agent, 0), len(held))
        self._task(self._close_later(i, conv))

    async def _close_later(self, i: int, conv: int) -> None:
        await asyncio.sleep(self.rng.uniform(*self.plan.handle))
        agent = self.obs.agent_ids[i]
        # No longer counted once asked to close: the server may refill the seat before the ack.
        self.held[agent].discard(conv)
        for attempt in range(RESENDS + 1):
            try:
                ack = await self.agents[i].call("close", {"conversation_id": conv},
                                                namespace="/agent", timeout=CALL_TIMEOUT)
            except socketio.exceptions.TimeoutError:
                ack = {"ok": False, "error": {"code": "no_answer"}}
            except Exception as exc:  # a dropped socket: reported, not lost in a task
                ack = repr(exc)
            code = ((ack.get("error") or {}).get("code") if isinstance(ack, dict) else None)
            failed = not (isinstance(ack, dict) and ack.get("ok"))
            if failed and attempt and code == "conversation_closed":
                failed = False  # the attempt that failed had closed it after all
            if failed and attempt < RESENDS and code in ("server_error", "no_answer"):
                # As an agent whose 结束 failed, or got no answer, clicks it again.
                self.obs.close_retries += 1
                await asyncio.sleep(1.0)
                continue
            if failed:
                self.obs.close_errors.append(f"agent {agent} conversation {conv}: {ack}")
            return

    def _on_visitor_assigned(self, v: int, data: dict[str, Any]) -> None:
        agent = (data.get("agent") or {}).get("id")
        self.obs.visitor_assigned.setdefault(v, []).append(
            (int(data["conversation"]["id"]), agent, time.time()))
        self.served.add(v)
        if len(self.served) == len(self.visitors) and self.obs.t_all_served is None:
            self.obs.t_all_served = time.time()

    def _on_visitor_queued(self, v: int, data: dict[str, Any]) -> None:
        self.obs.visitor_queued.setdefault(v, time.time())

    def _on_ack(self, v: int, cid: str, ack: Any) -> None:
        ack = ack if isinstance(ack, dict) else {"ok": False, "raw": repr(ack)}
        self.obs.acks[cid] = ack
        code = (ack.get("error") or {}).get("code")
        if code == "server_error" and self.obs.resends.get(cid, 0) < RESENDS:
            # As a visitor whose message failed sends it again (same client id: stored once).
            self.obs.resends[cid] = self.obs.resends.get(cid, 0) + 1
            self._task(self._send(v, cid, delay=1.0))

    async def _send(self, v: int, cid: str, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        await self.visitors[v].emit("message", {"text": f"hello {v}", "client_id": cid},
                                    namespace="/visitor",
                                    callback=lambda *a: self._on_ack(v, cid, a[0] if a else None))

    async def _set_status(self, i: int, status: str) -> float | None:
        """Change an agent's status; return when the change was acknowledged, None if refused."""
        for attempt in range(RESENDS + 1):
            try:
                ack = await self.agents[i].call("status", {"status": status}, namespace="/agent",
                                                timeout=CALL_TIMEOUT)
            except socketio.exceptions.TimeoutError:
                ack = {"ok": False, "error": {"code": "no_answer"}}
            except Exception as exc:  # reported by the checks
                ack = repr(exc)
            code = ((ack.get("error") or {}).get("code") if isinstance(ack, dict) else None)
            if code in ("server_error", "no_answer") and attempt < RESENDS:
                self.obs.status_retries += 1  # as an agent picks the status again (idempotent)
                await asyncio.sleep(1.0)
                continue
            break
        done = time.time()
        if not (isinstance(ack, dict) and ack.get("ok") and ack.get("status") == status):
            self.obs.status_errors.append(f"agent {self.obs.agent_ids[i]} → {status}: {ack}")
            return None
        return done

    async def _toggle(self, i: int) -> None:
        """Go offline and online again until told to stop; end online."""
        agent = self.obs.agent_ids[i]
        windows = self.obs.offline_windows.setdefault(agent, [])
        while not self.stop_toggling.is_set():
            await asyncio.sleep(self.rng.uniform(*self.plan.online_for))
            if self.stop_toggling.is_set():
                break
            off_acked = await self._set_status(i, "offline")
            await asyncio.sleep(self.rng.uniform(*self.plan.offline_for))
            if off_acked is not None:
                # From here on assignments are legitimate: the online change may commit any moment.
                windows.append((off_acked, time.time()))
            await self._set_status(i, "online")

    async def _connect(self, gate: asyncio.Semaphore, c: socketio.AsyncClient, base: str, ns: str,
                       **kw: Any) -> None:
        async with gate:
            await asyncio.wait_for(c.connect(base, namespaces=[ns], transports=["websocket"],
                                             wait_timeout=20, **kw),
                                   max(1.0, self.deadline - time.monotonic()))

    async def run(self) -> None:
        """Connect everyone, release the burst, wait until all are served and closed."""
        plan, obs = self.plan, self.obs
        for i, a in enumerate(self.agents):
            a.on("conversation.assigned", lambda d, i=i: self._on_agent_assigned(i, d),
                 namespace="/agent")
        for v, c in enumerate(self.visitors):
            c.on("conversation.assigned", lambda d, v=v: self._on_visitor_assigned(v, d),
                 namespace="/visitor")
            c.on("conversation.queued", lambda d, v=v: self._on_visitor_queued(v, d),
                 namespace="/visitor")
        gate = asyncio.Semaphore(CONNECT_PARALLEL)
        n = len(self.bases)
        t0 = time.monotonic()
        try:
            await asyncio.gather(*(
                self._connect(gate, a, self.bases[i % n], "/agent",
                              headers={"Cookie": f"session={cookie}"})
                for i, (a, cookie) in enumerate(zip(self.agents, self.cookies, strict=True))))
            await asyncio.gather(*(
                self._connect(gate, c, self.bases[v % n], "/visitor", auth={"token": tok})
                for v, (c, tok) in enumerate(zip(self.visitors, self.tokens, strict=True))))
            obs.timings["connect_s"] = round(time.monotonic() - t0, 2)
            togglers = [asyncio.get_running_loop().create_task(self._toggle(i))
                        for i in range(min(plan.togglers, len(self.agents)))]
            order = list(range(len(self.visitors)))
            self.rng.shuffle(order)
            start = time.monotonic()
            at = 0.0
            obs.t_first_send = time.time()
            for v in order:
                wait = start + at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                cid = f"burst-{v}"
                obs.sent[cid] = time.time()
                await self._send(v, cid)
                at += self.rng.expovariate(plan.arrival_rate)
            obs.t_last_send = time.time()
            serve_by = time.monotonic() + plan.serve_within
            while len(self.served) < len(self.visitors) and time.monotonic() < min(serve_by,
                                                                                   self.deadline):
                await asyncio.sleep(0.02)
            self.stop_toggling.set()
            await asyncio.gather(*togglers, return_exceptions=True)
            # Let the last chats be closed (and any late assignment arrive) before reading back.
            settle = time.monotonic() + plan.handle[1] + CALL_TIMEOUT + RESENDS + 5
            while (self.tasks or len(obs.acks) < len(self.visitors)) and time.monotonic() < settle:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
            obs.timings["burst_to_all_served_s"] = round(
                (obs.t_all_served or time.time()) - obs.t_first_send, 2)
        finally:
            for t in list(self.tasks):
                t.cancel()
            await asyncio.gather(*(c.disconnect() for c in self.agents + self.visitors
                                   if c.connected), return_exceptions=True)


# --- one run ------------------------------------------------------------------------------

def run_burst(plan: Plan, database_url: str, redis_url: str, hard_timeout: float = 240,
              keep_logs: bool = False) -> Observed:
    """Build the system, seed it, drive the burst, read the database back; always stop."""
    deadline = time.monotonic() + hard_timeout
    workdir = Path(tempfile.mkdtemp(prefix="kefu-burst-"))
    system: System | None = None
    watchdog: threading.Timer | None = None
    obs = Observed(plan)
    failed = True
    try:
        t0 = time.monotonic()
        system = build_system(workdir, database_url, redis_url)
        watchdog = threading.Timer(hard_timeout + 10, system.stop)
        watchdog.daemon = True
        watchdog.start()
        app = make_app(system.app_config, workdir / "instance")
        emails, tokens = seed(app, plan, obs)
        obs.timings["setup_s"] = round(time.monotonic() - t0, 2)
        system.start()
        bases = [s.base for s in system.webs]
        cookies = login_all(bases[0], emails)
        with Poller(system.app_config["SQLALCHEMY_DATABASE_URI"], obs) as poller:
            asyncio.run(Driver(plan, obs, bases, cookies, tokens, deadline).run())
        if poller.error is not None:
            raise RuntimeError(f"database poller failed: {poller.error!r}")
        read_back(app, obs)
        obs.timings["total_s"] = round(time.monotonic() - t0, 2)
        failed = False
        return obs
    except Exception as exc:
        logs = system.logs() if system is not None else ""
        raise RuntimeError(f"burst run failed: {exc}\n{logs}") from exc
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if system is not None:
            system.stop()
        if keep_logs or failed:
            print(f"kefu burst: logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run one burst and print its summary and problems as JSON; exit 1 on any problem."""
    from .burst_check import problems, summary

    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--visitors", type=int, default=500)
    p.add_argument("--agents", type=int, default=20)
    p.add_argument("--capacity", type=int, default=5)
    p.add_argument("--arrival-rate", type=float, default=40.0)
    p.add_argument("--togglers", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/kefu_burst")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    p.add_argument("--keep-logs", action="store_true")
    p.add_argument("--dump", help="also write everything observed to this JSON file")
    args = p.parse_args(argv)
    plan = Plan(visitors=args.visitors, agents=args.agents, capacity=args.capacity,
                arrival_rate=args.arrival_rate, togglers=args.togglers, seed=args.seed)
    obs = run_burst(plan, args.database_url, args.redis_url, keep_logs=args.keep_logs)
    found = problems(obs)
    if args.dump:
        Path(args.dump).write_text(json.dumps(asdict(obs)))
    print(json.dumps({"plan": asdict(plan), "summary": summary(obs), "problems": found},
                     indent=2, ensure_ascii=False))
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
