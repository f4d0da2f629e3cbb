"""The console's home: the company at a glance and links to the workbench and widget."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_admin import AdminIndexView, expose
from sqlalchemy import func, select

from kefu.channels.models import Channel
from kefu.conversations.models import OPEN_STATUSES, Conversation
from kefu.extensions import db
from kefu.org.models import Company, User

from .. import access


def company_summary(company_id: int) -> dict[str, Any]:
    """Counts and links for one company (managers: only the groups they oversee)."""
    groups = access.manager_group_ids() if access.is_manager() else None
    online = select(func.count(User.id)).where(
        User.company_id == company_id, User.status == "online", User.is_active_account.is_(True)
    )
    open_convs = select(func.count(Conversation.id)).where(
        Conversation.company_id == company_id, Conversation.status.in_(OPEN_STATUSES)
    )
    if groups is not None:
        open_convs = open_convs.where(Conversation.skill_group_id.in_(groups))
    channels = db.session.scalars(
        select(Channel).where(Channel.company_id == company_id, Channel.enabled.is_(True),
                              Channel.kind == "web").order_by(Channel.id)
    ).all()
    base = request.url_root.rstrip("/")
    return {
        "company": db.session.get(Company, company_id),
        "online": db.session.scalar(online) or 0,
        "open": db.session.scalar(open_convs) or 0,
        "widgets": [{"name": c.name, "url": f"{base}/chat/{c.key}"} for c in channels],
    }


def platform_summary() -> dict[str, Any]:
    """Counts an operator sees."""
    return {
        "companies": db.session.scalar(select(func.count(Company.id))) or 0,
        "users": db.session.scalar(select(func.count(User.id))) or 0,
    }


class HomeView(AdminIndexView):
    """The console's index page."""

    def is_accessible(self) -> bool:
        """Operators, owners, admins and managers."""
        return access.can_enter()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        """Log in first, or 403."""
        return access.deny()

    @expose("/")
    def index(self) -> Any:
        """Show the company's name, live counts and links."""
        cid = access.company_id()
        summary = company_summary(cid) if cid is not None else None
        platform = platform_summary() if access.is_operator() else None
        return self.render("kefu_admin/index.html", summary=summary, platform=platform,
                           is_admin=access.is_admin())
