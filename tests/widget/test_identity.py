"""Identity hand-off: the host site's signed partner id, name, VIP level and params bind the visitor."""

from __future__ import annotations

import time

from sqlalchemy import select

from kefu.extensions import db
from kefu.visitors.models import Visitor, VisitorIdentity

from ..integrations.identity_helpers import set_identity_secret, signed

SECRET = "host-shared-secret-123"


def _open(app, channel, **body):
    r = app.test_client().post(f"/api/widget/{channel.key}/session", json=body)
    return r.status_code, r.get_json()


def _visitors():
    db.session.rollback()
    return list(db.session.scalars(select(Visitor).order_by(Visitor.id)))


def test_signed_identity_binds_partner_and_sets_name_vip_and_params(app, make):
    """A valid signature sets name and VIP level, stores the params and binds the partner id."""
    channel = make.channel(make.company())
    set_identity_secret(channel, SECRET)
    ident = signed(SECRET, partner_id="u-1001", name="张三", vip_level=3, params={"plan": "gold"})
    status, body = _open(app, channel, identity=ident, name="typed name")
    assert status == 200, body
    v = _visitors()[0]
    assert (v.name, v.vip_level, v.custom.get("plan")) == ("张三", 3, "gold")
    assert body["visitor"]["name"] == "张三"
    ids = db.session.scalars(select(VisitorIdentity.external_id).where(VisitorIdentity.visitor_id == v.id))
    assert "partner:u-1001" in set(ids)


def test_same_partner_on_another_device_is_the_same_visitor(app, make):
    """The partner id, not the browser, decides who the visitor is: a second device finds them."""
    channel = make.channel(make.company())
    set_identity_secret(channel, SECRET)
    _s, first = _open(app, channel, identity=signed(SECRET, partner_id="u-7"))
    _s, second = _open(app, channel, identity=signed(SECRET, partner_id="u-7", vip_level=1))
    assert first["visitor"]["id"] == second["visitor"]["id"]
    assert len(_visitors()) == 1 and _visitors()[0].vip_level == 1


def test_anonymous_visitor_logging_in_keeps_their_history(app, make):
    """An anonymous visitor who logs in on the host site becomes the partner (same visitor)."""
    channel = make.channel(make.company())
    set_identity_secret(channel, SECRET)
    _s, anon = _open(app, channel)
    _s, known = _open(app, channel, token=anon["token"], identity=signed(SECRET, partner_id="u-9"))
    assert known["visitor"]["id"] == anon["visitor"]["id"]
    # Someone else logging in on that browser is a different visitor, not the first partner.
    _s, other = _open(app, channel, token=known["token"], identity=signed(SECRET, partner_id="u-10"))
    assert other["visitor"]["id"] != anon["visitor"]["id"]


def test_forged_expired_or_unsigned_identities_are_refused_and_nothing_applied(app, make):
    """A wrong key, a changed payload, an old timestamp or no channel secret: refused, no visitor."""
    channel = make.channel(make.company())
    plain = make.channel(make.company())
    set_identity_secret(channel, SECRET)
    good = signed(SECRET, partner_id="u-1", name="Real")
    tampered = dict(good, data=signed(SECRET, partner_id="admin", name="Evil")["data"])
    cases = [
        (channel, signed("wrong-key", partner_id="u-1", vip_level=9), "identity_invalid"),
        (channel, tampered, "identity_invalid"),
        (channel, {"data": good["data"]}, "identity_invalid"),
        (channel, "not-an-object", "identity_invalid"),
        (channel, signed(SECRET, ts=int(time.time()) - 3600, partner_id="u-1"), "identity_expired"),
        (channel, signed(SECRET, ts=int(time.time()) + 3600, partner_id="u-1"), "identity_expired"),
        (channel, signed(SECRET, partner_id=""), "identity_invalid"),
        (plain, signed(SECRET, partner_id="u-1"), "identity_not_enabled"),
    ]
    for target, ident, code in cases:
        status, body = _open(app, target, identity=ident)
        assert (status, body["error"]["code"]) == (403, code), (ident, body)
        assert body["error"]["message_zh"] and body["error"]["message_en"]
    assert _visitors() == []
    assert "未应用任何身份信息" in _open(app, channel, identity=tampered)[1]["error"]["message_zh"]


def test_refused_identity_leaves_a_known_visitor_untouched(app, make):
    """A forged hand-off sent with a valid visitor token changes nothing about that visitor."""
    channel = make.channel(make.company())
    set_identity_secret(channel, SECRET)
    _s, anon = _open(app, channel, name="Anna")
    status, _b = _open(app, channel, token=anon["token"],
                       identity=signed("guess", partner_id="u-1", name="Mallory", vip_level=9))
    assert status == 403
    v = _visitors()[0]
    assert (v.name, v.vip_level) == ("Anna", 0)
    assert not db.session.scalars(
        select(VisitorIdentity).where(VisitorIdentity.external_id.startswith("partner:"))).first()
