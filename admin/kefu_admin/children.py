"""Audit skill-group memberships, which the console saves together with their group or agent."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import inspect
from sqlalchemy.orm import InstanceState

from kefu.audit.actions import changes_of, record
from kefu.org.models import SkillGroupMember


def _describe(member: SkillGroupMember) -> dict[str, object]:
    user = member.user.email if member.user is not None else member.user_id
    group = member.skill_group.name if member.skill_group is not None else member.skill_group_id
    return {"user": user, "skill_group": group}


def audit_memberships(
    actor_id: int | None, company_id: int | None, current: Iterable[SkillGroupMember],
    removed: Iterable[SkillGroupMember],
) -> None:
    """Add audit rows for added, re-prioritised and removed memberships (same transaction)."""
    for member in removed:
        record(actor_id, "delete", member, company_id, _describe(member))
    for member in current:
        state: InstanceState[SkillGroupMember] = inspect(member)
        if state.transient or state.pending:
            record(actor_id, "create", member, company_id,
                   {**_describe(member), "priority": [None, member.priority]})
            continue
        changes = changes_of(member)
        if changes:
            record(actor_id, "update", member, company_id, {**_describe(member), **changes})
