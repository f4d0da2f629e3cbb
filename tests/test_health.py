"""GET /healthz reports the database, Redis and jobs."""

from __future__ import annotations


def test_healthz_reports_every_part(app, ctx):
    """Health JSON names the database dialect, Redis state and the job backend."""
    body = app.test_client().get("/healthz").get_json()
    assert body["ok"] is True
    assert body["database"]["ok"] and body["database"]["dialect"] in ("sqlite", "postgresql")
    if app.config["KEFU_REDIS_URL"]:
        assert body["redis"] == {"ok": True}
        assert body["jobs"]["backend"] == "rq"
    else:
        assert body["redis"]["configured"] is False
        assert body["jobs"]["backend"] == "inprocess"
