"""Writes about companies, people and agent status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..audit.actions import record
from ..conversations.schemas import load
from ..errors import KefuError, ValidationFailed
from ..extensions import db
from ..realtime.events import AGENT_NS, agent_room, monitor_room, publish
from ..timeutil import iso, utcnow
from .models import AgentStatusLog, Company, SkillGroup, SkillGroupMember, User
from .passwords import hash_password
from .schemas import CompanySchema, StatusSchema, UserSchema


def check_create_company(actor_id: int | None, data: Any) -> Company:
    """Validate and create a company with its owner account."""
    fields = load(CompanySchema(), data)
    if db.session.scalar(select(Company.id).where(Company.slug == fields["slug"])):
        raise ValidationFailed({"slug": ["taken"]}, code="duplicate")
    if db.session.scalar(select(Company.id).where(Company.name == fields["name"])):
        raise ValidationFailed({"name": ["taken"]}, code="duplicate")
    _ensure_email_free(fields["owner_email"])
    return do_create_company(
        actor_id, fields["name"], fields["slug"], fields["owner_email"], fields["owner_name"],
        fields["owner_password"],
    )


def do_create_company(
    actor_id: int | None, name: str, slug: str, owner_email: str, owner_name: str,
    owner_password: str,
) -> Company:
    """Create a company and its owner in one transaction."""
    company = Company(name=name, slug=slug)
    db.session.add(company)
    db.session.flush()
    owner = User(
        company_id=company.id, email=owner_email.lower(), name=owner_name, role="owner",
        password_hash=hash_password(owner_password), max_concurrent=5,
    )
    db.session.add(owner)
    db.session.flush()
    record(actor_id, "create", company, company.id, {"name": [None, name], "slug": [None, slug]})
    record(actor_id, "create", owner, company.id, {"email": [None, owner.email], "role": [None, "owner"]})
    db.session.commit()
    from ..decisions.shipped import ensure_shipped

    ensure_shipped(company.id)  # every company starts with the shipped rulesets published
    return company


def _ensure_email_free(email: str) -> None:
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise ValidationFailed({"email": ["taken"]}, code="duplicate")


def check_create_user(actor_id: int | None, company_id: int | None, data: Any) -> User:
    """Validate and create an account in a company (or an operator when company_id is None)."""
    fields = load(UserSchema(), data)
    _ensure_email_free(fields["email"])
    return do_create_user(
        actor_id, company_id, fields["email"], fields["name"], fields["password"],
        role=fields["role"], max_concurrent=fields["max_concurrent"],
    )


def do_create_user(
    actor_id: int | None, company_id: int | None, email: str, name: str, password: str, *,
    role: str = "agent", max_concurrent: int = 5, department_id: int | None = None,
    group_ids: list[int] | None = None, is_operator: bool = False,
) -> User:
    """Create an account and its skill-group memberships."""
    user = User(
        company_id=company_id, email=email.lower(), name=name, role=role,
        password_hash=hash_password(password), max_concurrent=max_concurrent,
        department_id=department_id, is_operator=is_operator,
    )
    db.session.add(user)
    db.session.flush()
    for gid in group_ids or []:
        group = db.session.get(SkillGroup, gid)
        if group is None or group.company_id != company_id:
            raise KefuError("cross_company")
        db.session.add(SkillGroupMember(company_id=group.company_id, skill_group_id=gid, user_id=user.id))
    record(actor_id, "create", user, company_id, {"email": [None, user.email], "role": [None, role]})
    db.session.commit()
    return user


def check_set_status(agent: User, data: Any) -> User:
    """Validate an agent's own status change and apply it."""
    fields = load(StatusSchema(), data)
    if agent.company_id is None:
        raise KefuError("forbidden", status=403)
    return do_set_status(agent, fields["status"], fields["reason"])


def do_set_status(
    agent: User, status: str, reason: str = "", *, source: str = "self", actor_id: int | None = None,
    busy_reason_id: int | None = None,
) -> User:
    """Change an agent's status, log it, tell the agent's sockets, and refill from the queue.

    source/actor_id say who made the change (presence.models.SOURCES) for the work log;
    busy_reason_id is kept only while busy, and a new busy reason alone is a change too.
    """
    busy_reason_id = busy_reason_id if status == "busy" else None
    if status == agent.status and busy_reason_id == agent.busy_reason_id:
        return agent
    if agent.company_id is None:
        raise KefuError("forbidden", status=403)
    old = agent.status
    now = utcnow()
    agent.status = status
    agent.busy_reason_id = busy_reason_id
    agent.status_changed_at = now
    db.session.add(
        AgentStatusLog(
            company_id=agent.company_id, user_id=agent.id, old_status=old, new_status=status,
            reason=reason[:50], changed_at=now, source=source, actor_id=actor_id,
            busy_reason_id=busy_reason_id,
        )
    )
    event = {"type": "agent.status", "agent_id": agent.id, "status": status, "at": iso(now),
             "busy_reason_id": busy_reason_id, "source": source}
    publish(event, (AGENT_NS, agent_room(agent.id)), (AGENT_NS, monitor_room(agent.company_id)))
    db.session.commit()
    if status == "online" and old != "online" and agent.company_id is not None:
        from ..routing.assign import agent_group_ids, drain_queue

        drain_queue(agent.company_id, agent_group_ids(agent.id))
    elif old == "online" and status != "online" and agent.company_id is not None:
        from ..queueing.actions import publish_waits
        from ..routing.assign import agent_group_ids

        publish_waits(agent.company_id, agent_group_ids(agent.id))  # fewer slots: longer waits
    return agent
