"""What each side is told when a conversation ends, in Chinese and English (Sobot's wording)."""

from __future__ import annotations

# reason -> (zh, en) shown to the agent (workbench, history): Sobot's agent-side system messages.
AGENT_TEXTS: dict[str, tuple[str, str]] = {
    "agent_offline": ("客服离线，本次会话结束", "The agent went offline; this chat has ended"),
    "agent_removed": ("移除了用户，本次会话结束", "The agent removed the visitor; this chat has ended"),
    "blacklisted": ("把用户拉入黑名单，本次会话结束", "The visitor was blacklisted; this chat has ended"),
    "visitor_timeout": ("用户会话超时，本次会话已经结束", "The visitor timed out; this chat has ended"),
    "visitor_closed": (
        "用户关闭了聊天页面，本次会话结束", "The visitor closed the chat page; this chat has ended"
    ),
    "visitor_new_page": (
        "用户打开新的聊天页面，本次会话结束", "The visitor opened a new chat page; this chat has ended"
    ),
    "queue_abandoned": ("用户排队放弃，本次会话结束", "The visitor left the queue; this chat has ended"),
    "leave_message": (
        "用户转为留言，本次会话结束", "The visitor was offered a leave-message form; this chat has ended"
    ),
    "rated_exit": ("用户提交评价后退出，本次会话结束", "The visitor rated and left; this chat has ended"),
    "system": ("系统结束了本次会话", "The system ended this chat"),
}
# reason -> (zh, en) shown to the visitor in the widget.
VISITOR_TEXTS: dict[str, tuple[str, str]] = {
    "agent_offline": ("客服离线，本次会话结束", "The agent went offline; this chat has ended"),
    "agent_removed": ("客服结束了本次会话", "The agent ended this chat"),
    "blacklisted": (
        "本次会话已结束，暂时无法为您转接人工客服", "This chat has ended; no agent can serve you for now"
    ),
    "visitor_timeout": (
        "您长时间没有回复，本次会话已经结束", "You did not reply for a while; this chat has ended"
    ),
    "visitor_closed": ("您已结束本次会话", "You ended this chat"),
    "visitor_new_page": (
        "您在新的页面打开了聊天，本次会话结束", "You opened the chat on a new page; this chat has ended"
    ),
    "queue_abandoned": ("排队自动断开，本次会话结束", "You left the queue; this chat has ended"),
    "leave_message": ("此会话已结束，请留言", "This chat has ended; please leave a message"),
    "rated_exit": ("感谢您的评价，本次会话已结束", "Thank you for rating; this chat has ended"),
    "system": ("本次会话已结束", "This chat has ended"),
}
# What a blacklisted visitor reads when their message opens a conversation nobody will take.
TURNED_AWAY = (
    "您暂时无法联系人工客服，您的消息已记录", "No agent can serve you for now; your message was recorded"
)

# Timeline entries of the blacklist (Sobot's history wording): event kind -> (zh, en).
TIMELINE_TEXTS: dict[str, tuple[str, str]] = {
    "blacklisted": ("把用户拉入黑名单", "Blacklisted the visitor"),
    "blacklist_lifted": ("解除拉黑", "Lifted the blacklisting"),
}


def end_text(reason: str | None) -> dict[str, dict[str, str]] | None:
    """Both sides' texts for an end reason: {"visitor": {"zh", "en"}, "agent": {"zh", "en"}}."""
    if not reason:
        return None
    visitor = VISITOR_TEXTS.get(reason, VISITOR_TEXTS["system"])
    agent = AGENT_TEXTS.get(reason, AGENT_TEXTS["system"])
    return {"visitor": {"zh": visitor[0], "en": visitor[1]}, "agent": {"zh": agent[0], "en": agent[1]}}
