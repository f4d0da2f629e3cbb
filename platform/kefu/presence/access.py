"""Who may decide status requests and force agents offline: one helper each, a condition a line."""

from __future__ import annotations

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..org.access import department_subtree, is_company_admin
from ..org.models import User
from .models import StatusRequest


def manages_agent(actor: User, agent: User) -> bool:
    """Operators, the company's owners/admins, and a manager over the agent's department."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_operator:
        return True
    if agent.company_id is None or actor.company_id != agent.company_id:
        return False
    if is_company_admin(actor, agent.company_id):
        return True
    if actor.role != "manager" or actor.department_id is None or agent.department_id is None:
        return False
    return agent.department_id in department_subtree(agent.company_id, actor.department_id)


def access_status_request(actor: User, request_id: int) -> StatusRequest:
    """Return a status request the actor may decide; NotFound across companies, else Forbidden."""
    req = db.session.get(StatusRequest, request_id)
    if req is None:
        raise NotFound("not_found")
    if not actor.is_operator and req.company_id != actor.company_id:
        raise NotFound("not_found")
    agent = db.session.get(User, req.user_id)
    if agent is None:
        raise NotFound("not_found")
    if not manages_agent(actor, agent):
        raise Forbidden("forbidden")
    return req


def can_force_offline(actor: User, agent: User) -> bool:
    """Operators, and owners/admins of the agent's own company."""
    if actor.is_operator and actor.is_active:
        return True
    if agent.company_id is None:
        return False
    return is_company_admin(actor, agent.company_id)
