"""The pure queue policy: which limits apply, when the queue is full, the wait estimate."""

from __future__ import annotations

from kefu.queueing.policy import (
    DEFAULT_HANDLE_SECONDS,
    Limits,
    effective_limits,
    estimate_wait,
    is_full,
    mean_handle,
    queue_key,
)


def test_rules_override_the_group_which_overrides_the_company():
    """A routing rule's limit wins, then the group's override (0 included), then the company's."""
    assert effective_limits((5, 300), (None, None)) == Limits(5, 300)
    assert effective_limits((5, 300), (0, 60)) == Limits(0, 60)
    assert effective_limits((5, 300), (None, 60), {"queue_max_length": 2}) == Limits(2, 60)
    assert effective_limits((5, 300), (3, None), {"queue_max_wait": 0}) == Limits(3, 0)
    assert effective_limits((5, 300), (None, None), {"queue_max_length": True}) == Limits(5, 300)


def test_queue_full_only_with_a_limit():
    """With a limit of 3 the fourth waits only while fewer than 3 are ahead; 0 never fills."""
    assert not is_full(2, Limits(3, 0))
    assert is_full(3, Limits(3, 0))
    assert not is_full(10_000, Limits(0, 0))


def test_handle_time_starts_at_the_default_and_follows_history():
    """No history gives the default; many samples pull the estimate to their mean."""
    assert mean_handle([]) == DEFAULT_HANDLE_SECONDS
    assert mean_handle([60.0]) == (60 + 3 * DEFAULT_HANDLE_SECONDS) / 4
    assert abs(mean_handle([60.0] * 1000) - 60.0) < 1.0
    assert mean_handle([-5.0]) == DEFAULT_HANDLE_SECONDS  # a clock skew is no sample


def test_wait_estimate_grows_with_position_and_shrinks_with_capacity():
    """The p-th of a queue served by c slots waits p·h/c; nobody online gives no estimate."""
    assert estimate_wait(1, 1, 180.0) == 180
    assert estimate_wait(3, 2, 100.0) == 150
    assert estimate_wait(1, 10, 100.0) == 10
    assert estimate_wait(0, 5, 100.0) == 0
    assert estimate_wait(2, 0, 100.0) is None


def test_queue_key_is_priority_then_arrival():
    """Higher priority sorts first; within a priority, earlier arrival, then lower id."""
    rows = [(0, 5.0, 3), (10, 9.0, 4), (0, 1.0, 2), (0, 1.0, 1)]
    assert [r[2] for r in sorted(rows, key=lambda r: queue_key(*r))] == [4, 1, 2, 3]
