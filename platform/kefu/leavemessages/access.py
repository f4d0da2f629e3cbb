"""Who may see and handle a leave message: one helper, one condition a line."""

from __future__ import annotations

from ..errors import KefuError, NotFound
from ..extensions import db
from ..org.access import ADMIN_ROLES, visible_group_ids
from ..org.models import User
from ..visitors.token import VisitorClaims
from .models import LeaveMessage


def can_see_leave_message(user: User, lm: LeaveMessage, *, as_unassigned: bool = False) -> bool:
    """Decide whether `user` may read `lm` (or could, `as_unassigned`, to tell a late claimer)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_operator:
        return False  # operators run the installation; they do not read companies' messages
    if lm.company_id != user.company_id:
        return False
    if lm.agent_id == user.id:
        return True
    groups = visible_group_ids(user)
    if groups is None:
        return True
    if user.role == "agent" and lm.agent_id is not None and not as_unassigned:
        return False  # a colleague's message is theirs
    if lm.skill_group_id is None:
        return True  # the company pool
    return lm.skill_group_id in groups


def can_direct(user: User, lm: LeaveMessage) -> bool:
    """Admins and managers (within their groups) assign, move and handle anyone's messages."""
    if not can_see_leave_message(user, lm):
        return False
    if user.role in ADMIN_ROLES:
        return True
    return user.role == "manager"


def access_leave_message(user: User, leave_message_id: int) -> LeaveMessage:
    """Return the leave message if `user` may see it; NotFound (never Forbidden) otherwise."""
    lm = db.session.get(LeaveMessage, leave_message_id)
    if lm is None:
        raise NotFound("not_found")
    if not can_see_leave_message(user, lm):
        raise NotFound("not_found")
    return lm


def access_leave_message_handle(user: User, leave_message_id: int) -> LeaveMessage:
    """Return the leave message if `user` is its assignee (or directs it); not_assigned otherwise."""
    lm = access_leave_message(user, leave_message_id)
    if lm.agent_id == user.id:
        return lm
    if can_direct(user, lm):
        return lm
    raise KefuError("not_assigned", status=403)


def refuse_blacklisted(claims: VisitorClaims) -> None:
    """Refuse a blacklisted visitor's leave message or file: the blacklist keeps them away from agents."""
    from ..blacklist.queries import is_blacklisted

    if is_blacklisted(claims.company_id, claims.visitor_id):
        raise KefuError("leave_blacklisted", status=403)
