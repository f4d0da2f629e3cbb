"""The durable-rules adapter: one quiet host and one lock per process, stateless evaluation.

Facts from `reference/dependencies.md` shape every line: the stock Host starts a dispatcher
thread that can steal actions (so `post` returns None) — ours has none; the engine is not
thread-safe — every call holds one lock; a ruleset keeps at most 1024 live sids — each
evaluation uses a fresh sid and deletes it in `finally`; a registered ruleset cannot be
replaced — names are versioned by content and old ones are unloaded; exceptions inside
actions are swallowed into the state — we look for them and raise.

One more, found by the tests: deleting a state on which no action ever ran frees an
uninitialised pointer (segfault). Every chunk has a catch-all rule, and each newly loaded chunk
is warmed up with one evaluation, so the state slots we reuse have always run an action.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from typing import Any

import durable_rules_engine
from durable import engine as dr

from .compiler import END_ACTION, MARK, Compiled


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
        """Return the function a rule runs (looked up once, when a ruleset is registered)."""
        if action_name == END_ACTION:

            def end(c: Any) -> None:
                return None

            return end
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
        self._loaded: OrderedDict[str, list[str]] = OrderedDict()  # compiled name -> chunk names
        self._keep = keep
        self._issued = 0  # sids handed out: e0, e1, ...
        self.loads = 0
        self.unloads = 0

    def loaded(self) -> list[str]:
        """Names of the compiled rulesets currently loaded, least recently used first."""
        with self._lock:
            return list(self._loaded)

    def live_states(self) -> int:
        """Count the engine states alive now (0 between evaluations). Diagnostic: probes every sid issued."""
        with self._lock:
            live = 0
            for ruleset in self._host._ruleset_list:
                for n in range(self._issued):
                    try:
                        ruleset.get_state(f"e{n}")
                    except Exception:  # noqa: BLE001 - "sid not found" is the healthy answer
                        continue
                    live += 1
            return live

    def _ensure(self, compiled: Compiled) -> None:
        if compiled.name in self._loaded:
            self._loaded.move_to_end(compiled.name)
            return
        names: list[str] = []
        try:
            for chunk in compiled.chunks:
                # register mutates its argument
                self._host.register_rulesets({chunk.name: copy.deepcopy(chunk.body)})
                names.append(chunk.name)
                self._evaluate(chunk.name, {MARK: 1})  # warm-up: see the module docstring
        except Exception as exc:
            for name in names:
                self._unload(name)
            raise EngineError(f"could not load ruleset {compiled.name}: {exc}") from exc
        finally:
            del self._hits[:]
        self._loaded[compiled.name] = names
        self.loads += 1
        while len(self._loaded) > self._keep:
            _, old = self._loaded.popitem(last=False)
            for name in old:
                self._unload(name)
            self.unloads += 1

    def _unload(self, name: str) -> None:
        ruleset = self._host._ruleset_directory.pop(name, None)
        if ruleset is None:
            return
        self._host._ruleset_list.remove(ruleset)
        durable_rules_engine.delete_ruleset(ruleset._handle)

    def unload(self, name: str) -> None:
        """Drop a compiled ruleset no longer in use (it stays loadable again later)."""
        with self._lock:
            chunks = self._loaded.pop(name, None)
            if chunks is not None:
                for chunk in chunks:
                    self._unload(chunk)
                self.unloads += 1

    def _evaluate(self, name: str, record: dict[str, Any]) -> None:
        sid = f"e{self._issued}"
        self._issued += 1
        record["sid"] = sid  # records are built fresh for each evaluation
        # The C calls `Host.assert_fact` makes, without its per-action Python (a Closure, the
        # state parsed and written back: half of a decision's cost). Our actions only note which
        # rule fired and never read or change the state, so each is called with no closure; the
        # action message names the rule ('{"r007": {...}}', or "end" for the catch-all).
        ruleset = self._host._ruleset_directory.get(name)
        if ruleset is None:
            raise EngineError(f"ruleset {name} is not loaded")
        handle, actions = ruleset._handle, ruleset._actions
        try:
            # every key and value is ASCII (strings are hex-encoded): the faster escaping path
            result = durable_rules_engine.assert_fact(handle, json.dumps(record))
            if result[0] == 0:  # 1: no rule matched (cannot happen: the catch-all), 2/3: observed
                state = result[1]
                started = durable_rules_engine.start_action_for_state(handle, state)
                message = started[1] if started else None
                while message:
                    try:
                        actions[message[2 : message.index('"', 2)]]._func(None)
                    except Exception as exc:
                        durable_rules_engine.abandon_action(handle, state)
                        raise EngineError(f"an action failed in {name}: {exc}") from exc
                    message = durable_rules_engine.complete_and_start_action(handle, state)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"evaluation failed in {name}: {exc}") from exc
        finally:
            try:
                durable_rules_engine.delete_state(handle, sid)
            except Exception:  # noqa: BLE001 - a failed cleanup must not hide the result
                pass

    def match(self, compiled: Compiled, facts: dict[str, Any]) -> list[int]:
        """Return the indexes of every enabled rule whose conditions the coerced facts meet, in order."""
        if not compiled.chunks:
            return []
        records = compiled.records(facts)
        with self._lock:
            self._ensure(compiled)
            del self._hits[:]
            try:
                for chunk, record in zip(compiled.chunks, records, strict=True):
                    self._evaluate(chunk.name, record)
                return sorted(set(self._hits))
            finally:
                del self._hits[:]
