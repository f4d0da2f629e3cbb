"""`kefu bench routing`: the simulation agrees with queueing theory and keeps kefu's promises."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kefu.bench.routing import Params, erlang_c, simulate
from kefu.cli import main


def test_erlang_c_matches_published_values():
    """Erlang C: M/M/1 waits with probability ρ; 10 servers at 8 Erlang wait 40.9% of the time."""
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=5e-4)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(3, 3.0) == 1.0  # overloaded: everyone waits


@pytest.mark.parametrize("agents,capacity", [(10, 1), (5, 2)])
def test_mmc_run_agrees_with_erlang_c(agents, capacity):
    """Without abandonment or limits the queue is M/M/c: chance of waiting and mean wait as Erlang C."""
    report = simulate(Params(agents=agents, capacity=capacity, arrival_rate=0.08, handle_time=100,
                             duration=1_000_000, seed=7))
    theory = report["theory_mmc"]
    assert report["offered"] == report["answered"] > 70_000
    assert report["p_wait"] == pytest.approx(theory["p_wait"], rel=0.06)
    assert report["mean_wait"] == pytest.approx(theory["mean_wait"], rel=0.12)
    assert report["service_level"] == pytest.approx(theory["service_level"], rel=0.04)
    assert report["utilization"] == pytest.approx(0.8, abs=0.02)
    assert report["max_agent_load"] == capacity


def test_patience_limits_and_outcomes_add_up():
    """Impatient visitors abandon, a short queue refuses, the max wait sends some to leave a message;
    every chat has exactly one outcome and no agent goes above capacity."""
    base = Params(agents=5, capacity=2, arrival_rate=0.12, handle_time=100, duration=200_000, seed=3)
    patient = simulate(base)
    impatient = simulate(Params(**{**base.__dict__, "patience": 60.0}))
    limited = simulate(Params(**{**base.__dict__, "max_queue": 3, "max_wait": 60, "keep_waiting": 0.5}))
    for r in (patient, impatient, limited):
        assert r["offered"] == (r["answered"] + r["abandoned"] + r["left_message"]
                                + r["refused_queue_full"])
        assert r["max_agent_load"] <= 2
    assert patient["abandoned"] == 0 and impatient["abandoned"] > 0.05 * impatient["offered"]
    assert impatient["mean_wait"] < patient["mean_wait"]
    assert limited["refused_queue_full"] > 0 and limited["left_message"] > 0
    assert limited["max_wait"] < patient["max_wait"]


def test_vip_share_and_wait_estimate_are_reported():
    """High-priority arrivals go ahead in the queue order; the told wait is right on average."""
    report = simulate(Params(duration=500_000, seed=5, vip_share=0.2))
    assert report["offered"] == report["answered"]
    assert report["mean_wait_vip"] < report["mean_wait_normal"] / 3
    plain = simulate(Params(duration=500_000, seed=5))
    assert abs(plain["eta_mean_error"]) < 0.25 * plain["mean_wait"] + 10


def test_a_day_of_200_agents_runs_within_a_minute():
    """The CLI prints the JSON report for 200 agents and a day of traffic in under 60 s."""
    result = CliRunner().invoke(main, ["bench", "routing", "--agents", "200", "--capacity", "1",
                                       "--arrival-rate", "1.6", "--duration", "86400"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["params"]["agents"] == 200 and report["offered"] > 130_000
    # CPU time: other work on a shared test host stretches the wall clock, not this.
    assert report["cpu_seconds"] < 60 and report["elapsed_seconds"] > 0
    assert report["max_agent_load"] == 1
