"""The four decision points: the facts each one sees and the actions its rules can take.

The validator, the rule editor and the fact builders are all driven by these declarations,
so adding a fact or an action is one entry here (plus the code that supplies or applies it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conditions import OPS_BY_TYPE

Choice = tuple[str, str, str]  # value, zh label, en label


@dataclass(frozen=True)
class FactSpec:
    """A typed fact a rule can test."""

    name: str
    type: str  # number | text | enum | ref | bool | tags
    zh: str
    en: str
    choices: tuple[Choice, ...] = ()
    source: str = ""  # for ref: skill_group | channel | agent

    @property
    def ops(self) -> tuple[str, ...]:
        return OPS_BY_TYPE[self.type]


@dataclass(frozen=True)
class ParamSpec:
    """A typed parameter of an action."""

    name: str
    type: str  # text | int | bool | enum | ref | multi_enum | color (#rrggbb) | url (https or /static/)
    zh: str
    en: str
    required: bool = True
    choices: tuple[Choice, ...] = ()
    source: str = ""
    min: int | None = None
    max: int | None = None
    max_length: int = 2000


@dataclass(frozen=True)
class ActionSpec:
    """Something a matched rule decides, with its parameters."""

    name: str
    zh: str
    en: str
    params: tuple[ParamSpec, ...] = ()


@dataclass(frozen=True)
class DecisionPoint:
    """Where the product asks the rules; `defaults` is the decision when no rule (or an error) decides."""

    name: str
    zh: str
    en: str
    facts: tuple[FactSpec, ...]
    actions: tuple[ActionSpec, ...]
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fact(self, name: str) -> FactSpec | None:
        return next((f for f in self.facts if f.name == name), None)

    def action(self, name: str) -> ActionSpec | None:
        return next((a for a in self.actions if a.name == name), None)

    def describe(self) -> dict[str, Any]:
        """Return the declaration as JSON for the rule editor."""
        return {
            "name": self.name,
            "label": {"zh": self.zh, "en": self.en},
            "facts": [
                {
                    "name": f.name,
                    "type": f.type,
                    "label": {"zh": f.zh, "en": f.en},
                    "ops": list(f.ops),
                    "choices": [{"value": c[0], "label": {"zh": c[1], "en": c[2]}} for c in f.choices],
                    "source": f.source,
                }
                for f in self.facts
            ],
            "actions": [
                {
                    "name": a.name,
                    "label": {"zh": a.zh, "en": a.en},
                    "params": [
                        {
                            "name": p.name,
                            "type": p.type,
                            "label": {"zh": p.zh, "en": p.en},
                            "required": p.required,
                            "source": p.source,
                            "min": p.min,
                            "max": p.max,
                            "choices": [
                                {"value": c[0], "label": {"zh": c[1], "en": c[2]}} for c in p.choices
                            ],
                        }
                        for p in a.params
                    ],
                }
                for a in self.actions
            ],
            "defaults": self.defaults,
        }


CHANNEL_TYPES: tuple[Choice, ...] = (
    ("web", "网页", "Web"),
    ("h5", "H5 页面", "H5 page"),
    ("whatsapp", "WhatsApp", "WhatsApp"),
    ("messenger", "Messenger", "Messenger"),
    ("line", "LINE", "LINE"),
)
DEVICES: tuple[Choice, ...] = (("desktop", "电脑", "Computer"), ("mobile", "手机", "Mobile"))
LANGUAGES: tuple[Choice, ...] = (("zh", "中文", "Chinese"), ("en", "英文", "English"))
MODES: tuple[Choice, ...] = (
    ("robot_only", "仅机器人", "Robot only"),
    ("robot_first", "机器人优先", "Robot first"),
    ("human_only", "仅人工", "Human only"),
    ("human_first", "人工优先", "Human first"),
)
WEEKDAYS = "一二三四五六日"

VISIT_FACTS: tuple[FactSpec, ...] = (
    FactSpec("channel_type", "enum", "渠道类型", "Channel type", CHANNEL_TYPES),
    FactSpec("channel", "ref", "渠道", "Channel", source="channel"),
    FactSpec("page_url", "text", "咨询页面", "Page URL"),
    FactSpec("referrer", "text", "来源页面", "Referrer"),
    FactSpec("utm_source", "text", "推广来源 (utm_source)", "utm_source"),
    FactSpec("utm_campaign", "text", "推广活动 (utm_campaign)", "utm_campaign"),
    FactSpec("device", "enum", "设备", "Device", DEVICES),
    FactSpec("language", "enum", "语言", "Language", LANGUAGES),
    FactSpec("tags", "tags", "客户标签", "Customer tags"),
    FactSpec("vip_level", "number", "VIP 等级", "VIP level"),
    FactSpec("returning", "bool", "老客户", "Returning visitor"),
    FactSpec("visit_count", "number", "访问次数", "Visit count"),
    FactSpec("hour", "number", "当地时间 (时)", "Local hour"),
    FactSpec("weekday", "number", "星期 (1-7)", "Weekday (1-7)"),
    FactSpec("in_business_hours", "bool", "工作时间内", "In business hours"),
    FactSpec("agents_online", "number", "在线客服数", "Agents online"),
)

RECEPTION = DecisionPoint(
    name="reception",
    zh="接待方案",
    en="Reception plan",
    facts=VISIT_FACTS,
    actions=(
        ActionSpec(
            "mode", "接待模式", "Reception mode", (ParamSpec("mode", "enum", "模式", "Mode", choices=MODES),)
        ),
        # Which of the company's robots serves the robot modes (none: the default robot).
        ActionSpec(
            "robot", "机器人", "Robot", (ParamSpec("robot", "ref", "机器人", "Robot", source="robot"),)
        ),
        ActionSpec(
            "skill_group",
            "分配到技能组",
            "Skill group",
            (ParamSpec("group", "ref", "技能组", "Skill group", source="skill_group"),),
        ),
        ActionSpec(
            "greeting", "欢迎语", "Greeting", (ParamSpec("text", "text", "内容", "Text", max_length=1000),)
        ),
        ActionSpec(
            "widget",
            "窗口样式",
            "Widget style",
            (
                ParamSpec("title", "text", "标题", "Title", required=False, max_length=60),
                ParamSpec("announcement", "text", "公告", "Announcement", required=False, max_length=500),
                # Checked by definition.py (#rrggbb; https:// or this site's /static/ path) because
                # the widget puts them into CSS and an <img>: never javascript: or data:.
                ParamSpec("color", "color", "主题色", "Colour", required=False),
                ParamSpec("logo", "url", "标志图片", "Logo", required=False, max_length=500),
                ParamSpec(
                    "position", "enum", "按钮位置", "Button position", required=False,
                    choices=(("right", "右下角", "Bottom right"), ("left", "左下角", "Bottom left")),
                ),
            ),
        ),
        ActionSpec(
            "pre_chat_form",
            "询前表单",
            "Pre-chat form",
            (
                ParamSpec(
                    "fields",
                    "multi_enum",
                    "字段",
                    "Fields",
                    choices=(
                        ("name", "姓名", "Name"),
                        ("phone", "电话", "Phone"),
                        ("email", "邮箱", "Email"),
                    ),
                ),
                # Off unless the plan says so: a form the plan asks for is filled before chatting.
                ParamSpec("skippable", "bool", "可跳过", "Can be skipped", required=False),
            ),
        ),
    ),
    defaults={"mode": {"mode": "human_only"}},
)

ROUTING_FACTS: tuple[FactSpec, ...] = VISIT_FACTS + (
    FactSpec("skill_group", "ref", "技能组", "Skill group", source="skill_group"),
    FactSpec("group_online", "number", "技能组在线客服数", "Agents online in group"),
    FactSpec("group_available", "number", "技能组未饱和客服数", "Unsaturated agents in group"),
    FactSpec("group_in_hours", "bool", "技能组工作时间内", "Group in business hours"),
    FactSpec("queue_length", "number", "排队人数", "Queue length"),
    FactSpec("has_last_agent", "bool", "有上次接待客服", "Has a last agent"),
    FactSpec("last_agent_online", "bool", "上次接待客服在线", "Last agent online"),
)
STRATEGIES: tuple[Choice, ...] = (
    ("least_saturation", "饱和度优先", "Least saturated"),
    ("round_robin", "轮流分配", "Round robin"),
    ("last_agent", "上次接待客服优先", "Last agent first"),
    ("designated", "指定客服", "Designated agent"),
)
OVERFLOW_WHEN: tuple[Choice, ...] = (
    ("none_online", "无人在线", "Nobody online"),
    ("all_saturated", "全部饱和", "Everyone saturated"),
    ("closed", "非工作时间", "Group closed"),
    ("always", "总是", "Always"),
)
PRIORITIES: tuple[Choice, ...] = (
    ("high", "高 (优先排队)", "High (ahead in queue)"),
    ("normal", "普通", "Normal"),
    ("low", "低", "Low"),
)

ROUTING = DecisionPoint(
    name="routing",
    zh="客户分配",
    en="Routing",
    facts=ROUTING_FACTS,
    actions=(
        ActionSpec(
            "route",
            "分配到技能组",
            "Route to group",
            (ParamSpec("group", "ref", "技能组", "Skill group", source="skill_group"),),
        ),
        ActionSpec(
            "strategy",
            "分配策略",
            "Strategy",
            (
                ParamSpec("strategy", "enum", "策略", "Strategy", choices=STRATEGIES),
                ParamSpec(
                    "hours",
                    "int",
                    "上次接待的时限 (小时)",
                    "Last agent within (hours)",
                    required=False,
                    min=1,
                    max=720,
                ),
                ParamSpec("agent", "ref", "指定客服", "Designated agent", required=False, source="agent"),
                ParamSpec(
                    "fallback", "bool", "指定客服不可用时转其他客服", "Fall back to others", required=False
                ),
                ParamSpec(
                    "transferable", "bool", "允许转接（默认允许）", "Transferable (default yes)",
                    required=False,
                ),
            ),
        ),
        ActionSpec(
            "overflow",
            "溢出",
            "Overflow",
            (
                ParamSpec("group", "ref", "溢出到技能组", "Overflow to group", source="skill_group"),
                ParamSpec("when", "enum", "溢出条件", "When", choices=OVERFLOW_WHEN),
            ),
        ),
        ActionSpec(
            "priority",
            "排队优先级",
            "Queue priority",
            (ParamSpec("level", "enum", "优先级", "Level", choices=PRIORITIES),),
        ),
        ActionSpec(
            "queue_limits",
            "排队限制",
            "Queue limits",
            (
                ParamSpec("max_length", "int", "最大排队人数 (0 不限)", "Max queue length (0: no limit)",
                          required=False, min=0, max=10000),
                ParamSpec("max_wait", "int", "最长排队时间 (秒, 0 不限)", "Max wait (seconds, 0: no limit)",
                          required=False, min=0, max=86400),
            ),
        ),
        ActionSpec(
            "leave_message",
            "转留言",
            "Offer leave-message",
            (),
        ),
    ),
    defaults={"strategy": {"strategy": "least_saturation"}, "priority": {"level": "normal"}},
)

SESSION = DecisionPoint(
    name="session",
    zh="会话中",
    en="During the chat",
    facts=(
        FactSpec("channel_type", "enum", "渠道类型", "Channel type", CHANNEL_TYPES),
        FactSpec("skill_group", "ref", "技能组", "Skill group", source="skill_group"),
        FactSpec(
            "last_speaker",
            "enum",
            "最后发言方",
            "Last speaker",
            (("visitor", "客户", "Visitor"), ("agent", "客服", "Agent")),
        ),
        FactSpec("first_response_pending", "bool", "客服尚未首次回复", "Awaiting first response"),
        FactSpec("visitor_messages", "number", "客户消息数", "Visitor messages"),
        FactSpec("agent_messages", "number", "客服消息数", "Agent messages"),
        FactSpec("vip_level", "number", "VIP 等级", "VIP level"),
        FactSpec("tags", "tags", "客户标签", "Customer tags"),
        FactSpec("in_business_hours", "bool", "工作时间内", "In business hours"),
    ),
    actions=(
        ActionSpec(
            "remind_visitor",
            "提醒客户",
            "Remind the visitor",
            (
                ParamSpec("after", "int", "延迟 (秒)", "After (seconds)", min=5, max=86400),
                ParamSpec("text", "text", "提醒内容", "Text", max_length=1000),
            ),
        ),
        ActionSpec(
            "auto_close",
            "自动结束会话",
            "Close automatically",
            (
                ParamSpec("after", "int", "延迟 (秒)", "After (seconds)", min=5, max=86400),
                ParamSpec("text", "text", "结束语", "Closing text", max_length=1000),
            ),
        ),
        ActionSpec(
            "agent_alert",
            "客服未回复告警",
            "Alert on agent no-reply",
            (
                ParamSpec("after", "int", "延迟 (秒)", "After (seconds)", min=5, max=86400),
                ParamSpec(
                    "level",
                    "enum",
                    "级别",
                    "Level",
                    choices=(("warning", "警告", "Warning"), ("critical", "严重", "Critical")),
                ),
            ),
        ),
        ActionSpec(
            "auto_transfer",
            "自动转接",
            "Transfer automatically",
            (
                ParamSpec("after", "int", "延迟 (秒)", "After (seconds)", min=5, max=86400),
                ParamSpec("group", "ref", "转到技能组", "To group", source="skill_group"),
            ),
        ),
        ActionSpec(
            "invite_rating",
            "邀请评价",
            "Invite a rating",
            (ParamSpec("after", "int", "延迟 (秒)", "After (seconds)", min=5, max=86400),),
        ),
    ),
    defaults={},
)

LEAVE_REASONS: tuple[Choice, ...] = (
    ("off_hours", "非工作时间", "Off hours"),
    ("none_online", "无客服在线", "Nobody online"),
    ("queue_full", "排队已满", "Queue full"),
    ("visitor_choice", "客户主动留言", "Visitor chose to"),
    ("queue_timeout", "排队超时", "Queue wait too long"),
)
LEAVE_MESSAGE = DecisionPoint(
    name="leave_message",
    zh="留言",
    en="Leave message",
    facts=(
        FactSpec("reason", "enum", "留言原因", "Reason", LEAVE_REASONS),
        FactSpec("channel_type", "enum", "渠道类型", "Channel type", CHANNEL_TYPES),
        FactSpec("channel", "ref", "渠道", "Channel", source="channel"),
        FactSpec("skill_group", "ref", "技能组", "Skill group", source="skill_group"),
        FactSpec("vip_level", "number", "VIP 等级", "VIP level"),
        FactSpec("tags", "tags", "客户标签", "Customer tags"),
        FactSpec("language", "enum", "语言", "Language", LANGUAGES),
        FactSpec("has_last_agent", "bool", "有上次接待客服", "Has a last agent"),
        FactSpec("hour", "number", "当地时间 (时)", "Local hour"),
        FactSpec("weekday", "number", "星期 (1-7)", "Weekday (1-7)"),
    ),
    actions=(
        ActionSpec(
            "offer",
            "提供留言表单",
            "Offer the form",
            (
                ParamSpec("text", "text", "引导语", "Prompt", max_length=1000),
                ParamSpec(
                    "fields",
                    "multi_enum",
                    "表单字段",
                    "Form fields",
                    choices=(
                        ("name", "姓名", "Name"),
                        ("phone", "电话", "Phone"),
                        ("email", "邮箱", "Email"),
                        ("content", "留言内容", "Message"),
                    ),
                ),
                # The name of a configured leave-message form (留言模板); its fields then apply.
                ParamSpec("form", "text", "留言模板名称", "Form name", required=False, max_length=80),
            ),
        ),
        ActionSpec("no_offer", "不提供留言", "Do not offer", ()),
        ActionSpec(
            "assign",
            "分配留言",
            "Assign to",
            (
                ParamSpec(
                    "to",
                    "enum",
                    "分配给",
                    "To",
                    choices=(
                        ("pool", "留言池", "The pool"),
                        ("group", "技能组", "A skill group"),
                        ("agent", "指定客服", "An agent"),
                        ("last_agent", "上次接待客服", "The last agent"),
                        ("round_robin", "轮流分配", "Round robin"),
                    ),
                ),
                ParamSpec("group", "ref", "技能组", "Skill group", required=False, source="skill_group"),
                ParamSpec("agent", "ref", "客服", "Agent", required=False, source="agent"),
            ),
        ),
        ActionSpec(
            "auto_reply",
            "自动回复",
            "Auto-reply",
            (ParamSpec("text", "text", "内容", "Text", max_length=1000),),
        ),
        ActionSpec(
            "reply_within",
            "处理时限",
            "Reply within",
            (ParamSpec("hours", "int", "小时", "Hours", min=1, max=720),),
        ),
    ),
    defaults={
        "offer": {
            "text": "当前无法接通人工客服，请留言，我们会尽快回复您。",
            "fields": ["name", "phone", "content"],
        },
        "assign": {"to": "pool"},
    },
)

POINTS: dict[str, DecisionPoint] = {p.name: p for p in (RECEPTION, ROUTING, SESSION, LEAVE_MESSAGE)}


def get_point(name: str) -> DecisionPoint:
    """Return a decision point by name, or raise KeyError."""
    return POINTS[name]
