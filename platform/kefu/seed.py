"""Seed the demo company from seed_data/ through the same actions the console uses."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .channels.models import Channel
from .extensions import db
from .org.actions import do_create_company, do_create_user
from .org.models import Company, Department, SkillGroup, SkillGroupMember, User, WorkSchedule
from .org.passwords import hash_password
from .presence.models import BusyReason
from .quickreplies import actions as quickreply_actions
from .settings.actions import do_save

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "seed_data" / "demo.json"


def _password() -> str:
    return secrets.token_urlsafe(9)


def seed_demo(path: Path = DEFAULT_FILE) -> dict[str, Any]:
    """Create the demo company once; on later runs reset the demo passwords. Return logins."""
    data = json.loads(path.read_text(encoding="utf-8"))
    logins: dict[str, str] = {}
    company = db.session.scalars(
        select(Company).where(Company.slug == data["company"]["slug"])
    ).first()
    emails = [data["operator"]["email"], data["owner"]["email"]] + [u["email"] for u in data["users"]]
    if company is not None:
        for user in db.session.scalars(select(User).where(User.email.in_(emails))):
            logins[user.email] = pw = _password()
            user.password_hash = hash_password(pw)
        db.session.commit()
        channel = db.session.scalars(select(Channel).where(Channel.company_id == company.id)).first()
        return {"company": company, "logins": logins, "channel": channel, "created": False}

    op = data["operator"]
    if db.session.scalar(select(User.id).where(User.email == op["email"])) is None:
        logins[op["email"]] = pw = _password()
        do_create_user(None, None, op["email"], op["name"], pw, role="admin", is_operator=True)
    owner = data["owner"]
    logins[owner["email"]] = pw = _password()
    company = do_create_company(None, data["company"]["name"], data["company"]["slug"],
                                owner["email"], owner["name"], pw)
    cid = company.id
    deps: dict[str, Department] = {}
    for d in data["departments"]:
        parent = deps.get(d.get("parent", ""))
        deps[d["name"]] = do_save(
            None, Department(company_id=cid, name=d["name"], parent_id=parent.id if parent else None),
            created=True,
        )
    groups: dict[str, SkillGroup] = {}
    for g in data["skill_groups"]:
        dep = deps.get(g.get("department", ""))
        groups[g["name"]] = do_save(
            None,
            SkillGroup(company_id=cid, name=g["name"], display_name=g.get("display_name", ""),
                       department_id=dep.id if dep else None),
            created=True,
        )
    for u in data["users"]:
        logins[u["email"]] = pw = _password()
        dep = deps.get(u.get("department", ""))
        user = do_create_user(
            None, cid, u["email"], u["name"], pw, role=u["role"],
            max_concurrent=u.get("max_concurrent", 5), department_id=dep.id if dep else None,
        )
        user.display_name = u.get("display_name", "")
        do_save(None, user, created=False)
        for gname, prio in u.get("groups", []):
            do_save(None, SkillGroupMember(company_id=cid, skill_group_id=groups[gname].id,
                                           user_id=user.id, priority=prio), created=True)
    for s in data.get("schedules", []):
        do_save(None, WorkSchedule(company_id=cid, name=s["name"], timezone=s["timezone"],
                                   weekly=s["weekly"], holidays=s.get("holidays", [])), created=True)
    channel = None
    for c in data["channels"]:
        group = groups.get(c.get("skill_group", ""))
        extra = {"key": c["key"]} if c.get("key") else {}
        channel = do_save(
            None,
            Channel(company_id=cid, name=c["name"], kind=c["kind"],
                    skill_group_id=group.id if group else None, settings=c.get("settings", {}),
                    **extra),
            created=True,
        )
    quickreply_actions.do_seed(cid, data.get("quick_replies", []))
    knowledge_file = path.parent / "knowledge.yaml"
    if knowledge_file.exists():  # the demo knowledge base (zh + en Q&A) beside demo.json
        from .knowledge.actions import do_seed as seed_knowledge
        from .knowledge.evaluate import load_yaml

        seed_knowledge(cid, load_yaml(knowledge_file))
        from .robot.actions import do_seed_robot

        do_seed_robot(cid)  # 小K answers from it where a reception rule picks a robot mode
    for i, b in enumerate(data.get("busy_reasons", [])):
        do_save(None, BusyReason(company_id=cid, name=b["name"], name_en=b.get("name_en", ""),
                                 sort_order=i), created=True)
    from .leavemessages.actions import check_save_form
    from .leavemessages.models import LeaveForm

    for f in data.get("leave_forms", []):
        check_save_form(None, LeaveForm(company_id=cid, **f), created=True)
    from .decisions.shipped import ensure_shipped

    ensure_shipped(cid, refresh=True)  # again, now that the groups the rules name exist
    return {"company": company, "logins": logins, "channel": channel, "created": True}
