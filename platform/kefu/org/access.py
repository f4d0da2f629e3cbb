"""Access decisions about people and settings: one helper per resource, one condition a line."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import Forbidden, NotFound
from ..extensions import db
from .models import Department, SkillGroup, SkillGroupMember, User

ADMIN_ROLES = ("owner", "admin")
SUPERVISOR_ROLES = ("owner", "admin", "manager")


def is_company_admin(user: User, company_id: int | None) -> bool:
    """Owners and admins manage every setting of their own company."""
    if not user.is_authenticated or not user.is_active:
        return False
    if company_id is None:
        return False
    if user.company_id != company_id:
        return False
    return user.role in ADMIN_ROLES


def follows_company_live(user: User) -> bool:
    """Owners, admins and managers get their company's supervisor events (the monitor room).

    Managers get every event of the company, not only those of their departments: the events
    carry ids only, and what they open from them is filtered by the access helpers.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.company_id is None:
        return False
    return user.role in SUPERVISOR_ROLES


def can_manage_settings(user: User, company_id: int | None) -> bool:
    """Operators manage every company; owners/admins their own."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_operator:
        return True
    return is_company_admin(user, company_id)


def department_subtree(company_id: int, root_id: int) -> set[int]:
    """Return the ids of a department and all its descendants."""
    rows = db.session.execute(
        select(Department.id, Department.parent_id).where(Department.company_id == company_id)
    ).all()
    children: dict[int | None, list[int]] = {}
    for dep_id, parent_id in rows:
        children.setdefault(parent_id, []).append(dep_id)
    seen: set[int] = set()
    stack = [root_id] if any(d == root_id for d, _ in rows) else []
    while stack:
        dep = stack.pop()
        if dep in seen:
            continue
        seen.add(dep)
        stack.extend(children.get(dep, []))
    return seen


def visible_group_ids(user: User) -> set[int] | None:
    """Skill groups whose data the user may see; None means every group of the company."""
    if user.is_operator:
        return None
    if user.role in ADMIN_ROLES:
        return None
    own = set(
        db.session.scalars(
            select(SkillGroupMember.skill_group_id).where(SkillGroupMember.user_id == user.id)
        )
    )
    if user.role != "manager":
        return own
    if user.department_id is None or user.company_id is None:
        return own
    deps = department_subtree(user.company_id, user.department_id)
    scoped = set(
        db.session.scalars(
            select(SkillGroup.id).where(
                SkillGroup.company_id == user.company_id, SkillGroup.department_id.in_(deps)
            )
        )
    )
    return own | scoped


def access_user(viewer: User, user_id: int, *, write: bool = False) -> User:
    """Return a user row the viewer may see (or edit with write=True); NotFound otherwise."""
    target = db.session.get(User, user_id)
    if target is None:
        raise NotFound("not_found")
    if viewer.is_operator:
        return target
    if target.company_id != viewer.company_id:
        raise NotFound("not_found")
    if write and not is_company_admin(viewer, target.company_id):
        if viewer.id != target.id:
            raise Forbidden("forbidden")
    return target
