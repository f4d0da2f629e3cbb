"""Orders (订单) recorded on a conversation: exact amounts, ISO currencies, fixed statuses, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kefu.audit.models import AuditLog
from kefu.conversations.actions import check_visitor_message
from kefu.errors import KefuError
from kefu.extensions import db
from kefu.orders.actions import check_save_order, order_dict
from kefu.orders.models import ConversationOrder
from kefu.visitors.token import verify


def _conv_id(d):
    msg, _ = check_visitor_message(verify(d.token), {"text": "订单问题"})
    return msg.conversation_id


def test_order_is_stored_exactly_and_re_recording_updates_it(make):
    """An order keeps its amount to the cent as a Decimal; the same number again updates it."""
    d = make.desk()
    conv_id = _conv_id(d)
    order, created = check_save_order(d.agent, {"conversation_id": conv_id, "number": " SO-1001 ",
                                                "amount": "1999.90", "currency": "cny", "status": "paid"})
    assert created and order.number == "SO-1001" and order.currency == "CNY"
    db.session.expire_all()
    stored = db.session.get(ConversationOrder, order.id)
    assert stored.amount == Decimal("1999.90") and order_dict(stored)["amount"] == "1999.90"
    again, created = check_save_order(d.agent, {"conversation_id": conv_id, "number": "SO-1001",
                                                "amount": 0, "currency": "USD", "status": "refunded"})
    assert not created and again.id == order.id and again.status == "refunded"
    assert db.session.scalar(select(func.count()).select_from(ConversationOrder)) == 1
    assert [a.action for a in db.session.scalars(
        select(AuditLog).where(AuditLog.target_type == "ConversationOrder").order_by(AuditLog.id))] == [
        "create", "update"]


@pytest.mark.parametrize("patch, code", [
    ({"number": "  "}, "order_number"),
    ({"number": "x" * 65}, "order_number"),
    ({"amount": "-1"}, "order_amount"),
    ({"amount": "1.005"}, "order_amount"),
    ({"amount": 12.5}, "order_amount"),  # a float could already be rounded: send a string
    ({"amount": "abc"}, "order_amount"),
    ({"amount": "NaN"}, "order_amount"),
    ({"currency": "RMB1"}, "order_currency"),
    ({"currency": "¥"}, "order_currency"),
    ({"status": "lost"}, "order_status"),
])
def test_invalid_orders_are_refused_and_nothing_is_stored(make, patch, code):
    """A blank or long number, a negative/over-precise/float/non-numeric amount, a non-ISO currency
    or an unknown status is refused with its own message."""
    d = make.desk()
    data = {"conversation_id": _conv_id(d), "number": "SO-1", "amount": "10", "currency": "CNY"}
    data.update(patch)
    with pytest.raises(KefuError) as err:
        check_save_order(d.agent, data)
    assert err.value.code == code
    assert db.session.scalar(select(func.count()).select_from(ConversationOrder)) == 0


def test_another_company_cannot_record_an_order(make):
    """Another company's agent is told the conversation does not exist."""
    d = make.desk()
    outsider = make.desk().agent
    with pytest.raises(KefuError) as err:
        check_save_order(outsider, {"conversation_id": _conv_id(d), "number": "SO-1", "amount": "1",
                                    "currency": "CNY"})
    assert err.value.code == "not_found"
