"""The message bench runs end to end on a tiny embedded load (not a timed test)."""

from __future__ import annotations

from kefu.bench.messages import run_bench


def test_bench_embedded_delivers_every_message_once() -> None:
    """A 4-conversation, 3-message embedded run delivers all 12 messages exactly once."""
    result = run_bench("embedded", 4, 3, 50, "", "", hard_timeout=90)
    assert result["ok"], result.get("problems")
    assert result["delivered"] == 12
    assert result["lost"] == 0 and result["duplicates"] == 0
    assert result["database"]["visitor_messages"] == 12
