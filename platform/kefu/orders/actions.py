"""Order writes: record (or update) an order on a conversation from the workbench."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.actions import record
from ..conversations.models import Conversation
from ..conversations.schemas import load
from ..errors import KefuError
from ..extensions import db
from ..org.models import User
from ..summaries.access import access_summary
from ..timeutil import iso, utcnow
from .models import NUMBER_MAX, ORDER_STATUSES, ConversationOrder
from .schemas import OrderSchema

CURRENCY = re.compile(r"^[A-Z]{3}$")
AMOUNT_MAX = Decimal("999999999999.99")  # Numeric(14, 2)


def order_dict(order: ConversationOrder) -> dict[str, Any]:
    """Serialize an order; the amount is a string so no float ever rounds it."""
    return {
        "id": order.id, "conversation_id": order.conversation_id, "agent_id": order.agent_id,
        "number": order.number, "amount": f"{Decimal(order.amount):.2f}", "currency": order.currency,
        "status": order.status, "created_at": iso(order.created_at), "updated_at": iso(order.updated_at),
    }


def orders_of(conversation_id: int) -> list[ConversationOrder]:
    """Return the conversation's orders, oldest first."""
    return list(db.session.scalars(
        select(ConversationOrder).where(ConversationOrder.conversation_id == conversation_id)
        .order_by(ConversationOrder.id)
    ))


def parse_amount(value: Any) -> Decimal:
    """Parse an amount exactly: ≥ 0, at most 2 decimals; floats and booleans are refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise KefuError("order_amount", fields={"amount": ["a decimal string"]})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise KefuError("order_amount", fields={"amount": ["not a number"]}) from exc
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX or (
            isinstance(exponent, int) and exponent < -2):
        raise KefuError("order_amount", fields={"amount": [">= 0, 2 decimals"]})
    return amount.quantize(Decimal("0.01"))


def check_save_order(user: User, data: Any) -> tuple[ConversationOrder, bool]:
    """Validate an order from the workbench and record it; return (order, created)."""
    fields = load(OrderSchema(), data)
    conv = access_summary(user, fields["conversation_id"])
    number = fields["number"].strip()
    if not number or len(number) > NUMBER_MAX:
        raise KefuError("order_number", fields={"number": [f"1-{NUMBER_MAX} characters"]})
    amount = parse_amount(fields["amount"])
    currency = fields["currency"].strip().upper()
    if not CURRENCY.match(currency):
        raise KefuError("order_currency", fields={"currency": ["ISO 4217"]})
    if fields["status"] not in ORDER_STATUSES:
        raise KefuError("order_status", fields={"status": list(ORDER_STATUSES)})
    return do_save_order(user, conv, number, amount, currency, fields["status"])


def do_save_order(
    user: User, conv: Conversation, number: str, amount: Decimal, currency: str, status: str,
) -> tuple[ConversationOrder, bool]:
    """Record an order on `conv` (the same number again updates it), audit it, and commit."""
    values: dict[str, Any] = {"amount": amount, "currency": currency, "status": status}
    order = _find(conv.id, number)
    created = order is None
    if order is None:
        order = ConversationOrder(company_id=conv.company_id, conversation_id=conv.id, agent_id=user.id,
                                  number=number, created_at=utcnow(), **values)
        db.session.add(order)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()  # the same number recorded twice at once: update the stored one
            order = _find(conv.id, number)
            assert order is not None
            created = False
    changes = {k: [None if created else str(getattr(order, k)), str(v)] for k, v in values.items()}
    changes["number"] = [None if created else number, number]
    for key, value in values.items():
        setattr(order, key, value)
    order.updated_at = utcnow()
    record(user.id, "create" if created else "update", order, conv.company_id, changes)
    db.session.commit()
    return order, created


def _find(conversation_id: int, number: str) -> ConversationOrder | None:
    return db.session.scalar(select(ConversationOrder).where(
        ConversationOrder.conversation_id == conversation_id, ConversationOrder.number == number))
