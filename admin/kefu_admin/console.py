"""Build the Flask-Admin console: theme, translations, views, CSRF."""

from __future__ import annotations

import os

from flask import Blueprint, Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from kefu.audit.models import AuditLog
from kefu.blacklist.models import BlacklistEntry
from kefu.channels.models import Channel
from kefu.chatpane.models import SensitiveWord
from kefu.integrations.models import IntegrationPage
from kefu.knowledge.models import KnowledgeArticle, KnowledgeCategory, KnowledgeEntry
from kefu.leavemessages.models import LeaveForm, LeaveMessage
from kefu.orders.models import ConversationOrder
from kefu.org.models import Company, Department, SkillGroup, User, WorkSchedule
from kefu.presence.models import BusyReason, StatusRequest
from kefu.quickreplies.models import QuickReply, QuickReplyGroup
from kefu.ratings.models import Rating, RatingScheme
from kefu.robot.models import Robot
from kefu.summaries.models import ConversationSummary, SummaryCategory
from kefu.visitors.fields import VisitorField

from .labels import KNOWLEDGE, ORGANIZATION, PLATFORM, SETTINGS, WORKBENCH
from .vendor import vendor
from .views.audit import AuditLogView
from .views.blacklist import BlacklistView
from .views.channels import ChannelView
from .views.companies import AllUsersView, CompanyView
from .views.conversation_settings import ConversationSettingsView, WorkbenchSettingsView
from .views.departments import DepartmentView
from .views.groups import SkillGroupView
from .views.home import HomeView
from .views.integration_token import IntegrationTokenView
from .views.integrations import IntegrationPageView
from .views.knowledge import KnowledgeCategoryView
from .views.knowledge_articles import KnowledgeArticleView
from .views.knowledge_entries import KnowledgeEntryView
from .views.knowledge_usage import KnowledgeUsageView
from .views.leavemessages import LeaveFormView, LeaveMessageView
from .views.quickreplies import QuickReplyGroupView, QuickReplyView
from .views.ratings import RatingSchemeView, RatingView
from .views.robots import RobotView
from .views.rules import RulesView
from .views.schedules import WorkScheduleView
from .views.sensitivewords import SensitiveWordView
from .views.statuses import BusyReasonView, StatusRequestView
from .views.summaries import OrderView, SummaryCategoryView, SummaryView
from .views.users import AgentView
from .views.visitor_fields import VisitorFieldView

HERE = os.path.dirname(__file__)
TRANSLATIONS = os.path.join(HERE, "translations")


def register_translations(app: Flask) -> None:
    """Add our catalog to Flask-Babel's directories (it merges every directory's catalog)."""
    dirs = [d for d in str(app.config.get("BABEL_TRANSLATION_DIRECTORIES", "")).split(";") if d]
    if TRANSLATIONS not in dirs:
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([*dirs, TRANSLATIONS])
    # Flask-Babel read the setting when kefu bound it, before plugins load: extend its list too.
    babel_cfg = app.extensions.get("babel")
    if babel_cfg is not None and TRANSLATIONS not in babel_cfg.translation_directories:
        babel_cfg.translation_directories.append(TRANSLATIONS)


def build_admin(app: Flask) -> Admin:
    """Create the Admin object with its views, exempted from CSRFProtect (SecureForm guards it)."""
    register_translations(app)
    # Our templates (kefu_admin/*.html) come from a route-less blueprint.
    app.register_blueprint(Blueprint("kefu_admin", __name__, template_folder="templates"))
    app.register_blueprint(vendor)  # plotly.js for the statistics pages, from the plotly package
    admin = Admin(
        app,
        name="kefu",
        theme=Bootstrap4Theme(swatch="default", fluid=True, base_template="kefu_admin/base.html"),
        index_view=HomeView(name=_l("Home"), url="/admin", endpoint="admin"),
        # Holds zh/LC_MESSAGES/admin.mo: Flask-Admin ships Chinese as zh_Hans_CN, kefu says zh.
        translations_path=TRANSLATIONS,
    )
    admin.add_view(CompanyView(Company, name=_l("Companies"), endpoint="companies",
                               category=PLATFORM))
    admin.add_view(AllUsersView(User, name=_l("All accounts"), endpoint="accounts",
                                category=PLATFORM))
    admin.add_view(DepartmentView(Department, name=_l("Departments"), endpoint="departments",
                                  category=ORGANIZATION))
    admin.add_view(SkillGroupView(SkillGroup, name=_l("Skill groups"), endpoint="skill_groups",
                                  category=ORGANIZATION))
    admin.add_view(AgentView(User, name=_l("Agents"), endpoint="agents", category=ORGANIZATION))
    admin.add_view(BusyReasonView(BusyReason, name=_l("Busy reasons"), endpoint="busy_reasons",
                                  category=ORGANIZATION))
    admin.add_view(StatusRequestView(StatusRequest, name=_l("Status requests"),
                                     endpoint="status_requests", category=ORGANIZATION))
    admin.add_view(WorkScheduleView(WorkSchedule, name=_l("Work schedules"),
                                    endpoint="schedules", category=ORGANIZATION))
    admin.add_view(ChannelView(Channel, name=_l("Channels"), endpoint="channels",
                               category=SETTINGS))
    admin.add_view(WorkbenchSettingsView(name=_l("Workbench options"), endpoint="workbench_settings",
                                         category=WORKBENCH))
    admin.add_view(QuickReplyView(QuickReply, name=_l("Quick replies"), endpoint="quick_replies",
                                  category=WORKBENCH))
    admin.add_view(QuickReplyGroupView(QuickReplyGroup, name=_l("Quick-reply groups"),
                                       endpoint="quick_reply_groups", category=WORKBENCH))
    admin.add_view(ConversationSettingsView(name=_l("Conversation settings"),
                                            endpoint="conversation_settings", category=SETTINGS))
    admin.add_view(SensitiveWordView(SensitiveWord, name=_l("Sensitive words"), endpoint="sensitive_words",
                                     category=WORKBENCH))
    admin.add_view(RatingSchemeView(RatingScheme, name=_l("Rating schemes"), endpoint="rating_schemes",
                                    category=SETTINGS))
    admin.add_view(RatingView(Rating, name=_l("Ratings"), endpoint="ratings", category=SETTINGS))
    admin.add_view(BlacklistView(BlacklistEntry, name=_l("Blacklist"), endpoint="blacklist",
                                 category=SETTINGS))
    admin.add_view(VisitorFieldView(VisitorField, name=_l("Visitor fields"), endpoint="visitor_fields",
                                    category=SETTINGS))
    admin.add_view(LeaveFormView(LeaveForm, name=_l("Leave-message forms"), endpoint="leave_forms",
                                 category=SETTINGS))
    admin.add_view(LeaveMessageView(LeaveMessage, name=_l("Leave messages"), endpoint="leave_messages",
                                    category=SETTINGS))
    admin.add_view(IntegrationPageView(IntegrationPage, name=_l("Integration pages"),
                                       endpoint="integration_pages", category=WORKBENCH))
    admin.add_view(IntegrationTokenView(name=_l("Integration page token"), endpoint="integration_token",
                                        category=WORKBENCH))
    admin.add_view(SummaryCategoryView(SummaryCategory, name=_l("Summary categories"),
                                       endpoint="summary_categories", category=WORKBENCH))
    admin.add_view(SummaryView(ConversationSummary, name=_l("Service summaries"),
                               endpoint="summaries", category=SETTINGS))
    admin.add_view(OrderView(ConversationOrder, name=_l("Orders"), endpoint="orders", category=SETTINGS))
    admin.add_view(KnowledgeCategoryView(KnowledgeCategory, name=_l("Knowledge categories"),
                                         endpoint="knowledge_categories", category=KNOWLEDGE))
    admin.add_view(KnowledgeArticleView(KnowledgeArticle, name=_l("Knowledge articles"),
                                        endpoint="knowledge_articles", category=KNOWLEDGE))
    admin.add_view(KnowledgeEntryView(KnowledgeEntry, name=_l("Q&A library"), endpoint="knowledge_entries",
                                      category=KNOWLEDGE))
    admin.add_view(RobotView(Robot, name=_l("Robots"), endpoint="robots", category=KNOWLEDGE))
    admin.add_view(AuditLogView(AuditLog, name=_l("Audit log"), endpoint="audit_log",
                                category=SETTINGS))
    # Its JSON posts carry Flask-WTF's token in X-CSRFToken; the view checks it itself.
    admin.add_view(RulesView(name=_l("Rules"), endpoint="rules"))
    admin.add_view(KnowledgeUsageView(name=_l("Knowledge usage"), endpoint="knowledge_usage"))
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        # Flask-WTF's token and SecureForm's differ (flask-admin#1861): let SecureForm check.
        for view in admin._views:
            if view.blueprint is not None:
                csrf.exempt(view.blueprint)
    app.extensions["kefu_admin"] = admin
    return admin
