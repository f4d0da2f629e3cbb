"""The durable-rules adapter: one quiet host and one lock per process, stateless evaluation.

Facts from `reference/dependencies.md` shape every line: the stock Host starts a dispatcher
thread that can steal actions (so `post` returns None) — ours has none; the engine is not
thread-safe — every call holds one lock; a ruleset keeps at most 1024 live sids — each
evaluation uses a fresh sid and deletes it in `finally`; a registered ruleset cannot be
replaced — names are versioned by content and old ones are unloaded; exceptions inside
actions are swallowed into the state — we look for them and raise.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections import OrderedDict
from typing import Any

import durable_rules_engine
from durable import engine as dr

from .compiler import Compiled


class EngineError(RuntimeError):
    """The engine failed to evaluate; callers fall back to the point's default decision."""


class _QuietHost(dr.Host):
    """A Host without the dispatcher threads; actions record which rule fired."""

    def __init__(self, hits: list[int]):
        self._hits = hits
        super().__init__()

    def _run(self) -> None:  # no background dispatcher: it races `assert_fact` for actions
        return None

    def get_action(self, action_name: str) -> Any:
        index = int(action_name[1:])
        hits = self._hits

        def record(c: Any) -> None:
            hits.append(index)

        return record


class Engine:
    """A process's rules engine: load compiled rulesets, match facts against them."""

    def __init__(self, keep: int = 64):
        self._lock = threading.Lock()
        self._hits: list[int] = []
        self._host = _QuietHost(self._hits)
        self._loaded: OrderedDict[str, None] = OrderedDict()
        self._keep = keep
        self._sids = itertools.count()
        self.loads = 0
        self.unloads = 0

    def loaded(self) -> list[str]:
        with self._lock:
            return list(self._loaded)

    def _ensure(self, compiled: Compiled) -> None:
        if compiled.name in self._loaded:
            self._loaded.move_to_end(compiled.name)
            return
        try:  # register mutates its argument
            self._host.register_rulesets(copy.deepcopy(compiled.engine_json))
        except Exception as exc:
            raise EngineError(f"could not load ruleset {compiled.name}: {exc}") from exc
        self._loaded[compiled.name] = None
        self.loads += 1
        while len(self._loaded) > self._keep:
            old, _ = self._loaded.popitem(last=False)
            self._unload(old)

    def _unload(self, name: str) -> None:
        ruleset = self._host._ruleset_directory.pop(name, None)
        if ruleset is None:
            return
        self._host._ruleset_list.remove(ruleset)
        durable_rules_engine.delete_ruleset(ruleset._handle)
        self.unloads += 1

    def unload(self, name: str) -> None:
        """Drop a ruleset no longer in use (it stays loadable again later)."""
        with self._lock:
            if self._loaded.pop(name, 0) is None:
                self._unload(name)

    def match(self, compiled: Compiled, facts: dict[str, Any]) -> list[int]:
        """Return the indexes of every enabled rule whose conditions the coerced facts meet, in order."""
        if not compiled.engine_json:
            return []
        record = compiled.engine_fact(facts)
        with self._lock:
            self._ensure(compiled)
            sid = f"e{next(self._sids)}"
            record["sid"] = sid
            del self._hits[:]
            try:
                state = self._host.assert_fact(compiled.name, record)
            except dr.MessageNotHandledException:
                state = None
            except Exception as exc:
                raise EngineError(f"evaluation failed in {compiled.name}: {exc}") from exc
            finally:
                try:
                    self._host.delete_state(compiled.name, sid)
                except Exception:  # noqa: BLE001 - a failed cleanup must not hide the result
                    pass
            if isinstance(state, dict) and "exception" in state:
                raise EngineError(f"an action failed in {compiled.name}: {state['exception']}")
            return sorted(set(self._hits))
