"""Errors that reach users: a stable code plus a message in Chinese and English."""

from __future__ import annotations

from typing import Any

# code -> (zh, en); one place so every surface (HTTP, socket, console) says the same thing.
MESSAGES: dict[str, tuple[str, str]] = {
    # Transfers, invitations, monitoring (transfers/).
    "transfer_target_required": (
        "请选择转接的客服或技能组（只能选一个）", "Choose one agent or one skill group to transfer to"
    ),
    "transfer_target_unknown": (
        "找不到该客服或技能组（只能转给本公司的）",
        "No such agent or skill group in your company",
    ),
    "transfer_reason_too_long": (
        "转接原因不能超过 {limit} 个字", "The reason cannot exceed {limit} characters"
    ),
    "transfer_same_agent": ("会话已在该客服处，无需转接", "The conversation is already with this agent"),
    "transfer_agent_offline": ("该客服不在线，无法转接", "This agent is offline; choose an online agent"),
    "transfer_agent_busy": ("该客服忙碌中，无法转接", "This agent is busy; choose an online agent"),
    "transfer_agent_saturated": (
        "该客服接待量已满，无法转接", "This agent has no free capacity; choose another agent"
    ),
    "transfer_group_full": (
        "该技能组没有在线且未饱和的客服，无法转接",
        "Nobody in this skill group is online with free capacity; choose another target",
    ),
    "not_transferable": (
        "该会话指定由当前客服接待，不可转接",
        "This conversation is tied to its designated agent and cannot be transferred",
    ),
    "not_active": ("会话不在接待中", "The conversation is not being served"),
    "invite_agent_offline": ("该客服不在线，无法邀请", "This colleague is offline and cannot be invited"),
    "invite_self": ("不能邀请会话的接待客服", "The conversation's own agent cannot be invited"),
    "not_participant": ("你没有参与该会话", "You are not taking part in this conversation"),
    "managers_only": ("仅主管或管理员可以执行此操作", "Only managers and admins can do this"),
    "takeover_own": ("该会话已由你接待", "You are already serving this conversation"),
    "invalid_input": ("输入有误，请检查后重试", "The input is invalid; please check it and retry"),
    "empty_message": ("消息不能为空", "The message cannot be empty"),
    "message_too_long": ("消息不能超过 {limit} 个字符", "The message cannot exceed {limit} characters"),
    "invalid_token": (
        "访客凭证无效或已过期，请刷新页面", "The visitor token is invalid or expired; reload the page"
    ),
    "unauthorized": ("请先登录", "Please log in first"),
    "forbidden": ("没有权限执行此操作", "You are not allowed to do this"),
    "not_found": ("找不到该对象", "Not found"),
    "unknown_channel": ("找不到该接入渠道", "This channel does not exist"),
    "channel_disabled": ("该渠道已停用", "This channel is disabled"),
    "conversation_closed": ("会话已结束", "The conversation has ended"),
    "not_assigned": ("该会话未分配给你", "This conversation is not assigned to you"),
    # Chat pane (chatpane/): sensitive words, recall, quotes.
    "sensitive_word": (
        "消息包含敏感词「{word}」，不能发送，请修改后重试",
        "The message contains the sensitive word \u201c{word}\u201d and cannot be sent; edit it and retry",
    ),
    "recall_expired": (
        "只能撤回 {seconds} 秒内发送的消息",
        "Only messages sent in the last {seconds} seconds can be recalled",
    ),
    "recall_disabled": ("本公司未开启消息撤回", "Message recall is turned off for this company"),
    "recall_not_own": ("只能撤回自己发送的消息", "You can only recall your own messages"),
    "quote_unavailable": (
        "引用的消息不存在或已撤回", "The quoted message does not exist or was recalled"
    ),
    "not_queued": ("该会话已由客服接待，不在排队中", "An agent is already serving this conversation"),
    # Taking a chat from the queue by hand (wblist/).
    "pick_offline": (
        "请先切换为在线状态，再接入排队中的会话", "Go online before taking a chat from the queue"
    ),
    "pick_saturated": (
        "您的接待量已满，请先结束一个会话再接入",
        "You are at your chat limit; end a chat before taking another",
    ),
    "pick_designated": ("该会话指定由其他客服接待", "This chat waits for another agent"),
    "pick_busy": (
        "正在为您分配其他会话，请稍后再试", "Another chat is being assigned to you; try again in a moment"
    ),
    "invalid_status": ("无效的状态", "Invalid status"),
    "duplicate": ("名称已存在", "This name is already taken"),
    "bad_login": ("账号或密码错误", "Wrong email or password"),
    "rate_limited": ("操作太频繁，请稍后再试", "Too many requests; try again later"),
    "server_error": ("服务器错误，请稍后重试", "Server error; please retry later"),
    "cross_company": ("不能引用其他公司的数据", "Rows of another company cannot be referenced"),
    "leave_message_content": (
        "请填写留言内容（1–2000 个字）", "Please write your message (1–2,000 characters)"
    ),
    "invalid_email": ("邮箱格式不正确，请检查", "The email address is not valid; please check it"),
    "invalid_phone": (
        "电话号码格式不正确（6–20 位数字，可带 + - 空格）",
        "The phone number is not valid (6–20 digits; +, - and spaces allowed)",
    ),
    "name_too_long": ("姓名不能超过 60 个字", "The name cannot exceed 60 characters"),
    "in_use_by_rule": (
        "该对象被规则「{rule}」({point} v{version}) 使用，无法删除",
        "Used by rule “{rule}” ({point} v{version}); it cannot be deleted",
    ),
    # Leave-message forms: every message names the field (its label in the reader's language).
    "leave_field_required": ("请填写「{field_zh}」", "Please fill in “{field_en}”"),
    "leave_field_too_long": (
        "「{field_zh}」不能超过 {limit} 个字",
        "“{field_en}” cannot exceed {limit} characters",
    ),
    "leave_field_email": ("「{field_zh}」不是有效的邮箱地址", "“{field_en}” is not a valid email address"),
    "leave_field_phone": (
        "「{field_zh}」不是有效的电话号码（6–20 位数字，可带 + - 空格）",
        "“{field_en}” is not a valid phone number (6–20 digits; +, - and spaces allowed)",
    ),
    "leave_field_date": (
        "「{field_zh}」不是有效的日期（年-月-日）",
        "“{field_en}” is not a valid date (YYYY-MM-DD)",
    ),
    "leave_field_choice": ("「{field_zh}」请从选项中选择", "“{field_en}”: pick one of the options"),
    "leave_attachment_missing": (
        "「{field_zh}」的附件无效或已失效，请重新上传",
        "The file for “{field_en}” is invalid or expired; upload it again"
    ),
    "leave_attachment_too_large": (
        "「{field_zh}」的文件超过 {limit} 的大小限制",
        "The file for “{field_en}” is larger than the {limit} limit"
    ),
    "leave_attachment_type": (
        "「{field_zh}」不支持该文件类型（允许：{types}）",
        "The file type is not allowed for “{field_en}” (allowed: {types})",
    ),
    "leave_attachment_count": (
        "「{field_zh}」最多 {limit} 个文件",
        "“{field_en}” takes at most {limit} files",
    ),
    "chatfile_too_large": ("文件超过 {limit} MB 的大小限制", "The file is larger than the {limit} MB limit"),
    "chatfile_type": (
        "不支持该文件类型（允许：{types}）", "This type of file cannot be sent (allowed: {types})"
    ),
    "chatfile_empty": ("文件是空的", "The file is empty"),
    "chatfile_visitors_off": ("暂不支持发送图片和文件", "Sending images and files is turned off here"),
    "chatfile_no_chat": (
        "请先发一条消息开始会话，再发送图片或文件", "Send a message to start the chat before sending a file"
    ),
    "chatfile_missing": (
        "文件不存在或不属于此会话，请重新上传", "The file is missing or not of this chat; upload it again"
    ),
    "leave_form_invalid": ("留言模板有误：{detail}", "The leave-message form is invalid: {detail}"),
    "leave_claimed": ("该留言已被 {name} 领取", "This message was already claimed by {name}"),
    "leave_blacklisted": (
        "暂时无法留言：人工客服目前无法为您服务", "You cannot leave a message for now: no agent can serve you"
    ),
    "blacklist_reason": ("请填写拉黑原因（1–200 个字）", "Please give the reason (1–200 characters)"),
    "blacklist_duration": (
        "拉黑时长只能是 1 天、7 天、30 天或永久", "The duration must be 1 day, 7 days, 30 days or permanent"
    ),
    "blacklist_lifted": ("该访客已解除拉黑", "This blacklisting was already lifted"),
    # 客服状态 (presence)
    "unknown_busy_reason": ("找不到该忙碌原因或已停用", "This busy reason does not exist or is disabled"),
    "status_reason_too_long": ("申请原因不能超过 50 个字", "The reason cannot exceed 50 characters"),
    "status_reason_required": ("请填写申请原因", "Please give a reason for this change"),
    "status_pending": ("已提交，等待审核", "Submitted; waiting for approval"),
    "status_rejected": ("状态切换被管理员驳回", "An administrator rejected your status change"),
    "forced_offline": ("您已被管理员强制下线", "An administrator has set you offline"),
    "request_decided": ("该申请已处理", "This request has already been handled"),
    # 满意度 (ratings/)
    "already_rated": ("该会话已评价过", "This conversation has already been rated"),
    "rating_no_agent": (
        "该会话没有人工客服接待，无法评价", "No agent served this conversation, so it cannot be rated"
    ),
    "rating_expired": (
        "会话结束已超过 {minutes} 分钟，无法再评价",
        "The conversation ended more than {minutes} minutes ago; it can no longer be rated",
    ),
    "rating_invite_expired": (
        "会话结束已超过 {minutes} 分钟，不能再邀请评价",
        "The conversation ended more than {minutes} minutes ago; it is too late to invite a rating",
    ),
    "rating_invite_too_soon": (
        "刚刚已邀请过评价，请 {seconds} 秒后再试", "A rating invitation was just sent; retry in {seconds} s"
    ),
    "rating_score": ("评分必须在 {low}–{high} 之间", "The score must be between {low} and {high}"),
    "rating_tag": ("标签「{tag}」不属于所选评分", "The tag “{tag}” is not offered for the chosen score"),
    "rating_tags_required": ("请至少选择一个标签", "Please choose at least one tag"),
    "rating_comment_required": ("请填写评价内容", "Please write a comment"),
    "rating_comment_hidden": ("该评价方案不收集评价内容", "This rating scheme takes no comment"),
    "rating_comment_too_long": (
        "评价内容不能超过 {limit} 个字", "The comment cannot exceed {limit} characters"
    ),
    "rating_scheme_lines": (
        "这一行有误：{line}（格式：分数: 中文 / English，分数 {low}–{high}）",
        "This line is invalid: {line} (format: score: 中文 / English, scores {low}–{high})",
    ),
    "rating_scheme_exists": (
        "该范围（全局或此技能组）已有评价方案",
        "A rating scheme already exists for this scope (global or this skill group)",
    ),
    # Integration pages (对接页面) and the host site's identity hand-off.
    "integration_name": ("请填写页面名称（最多 60 个字）", "Give the page a name (at most 60 characters)"),
    "integration_url_scheme": (
        "链接必须以 http:// 或 https:// 开头（不接受 javascript:、data: 等链接）",
        "The URL must start with http:// or https:// (javascript:, data: and other links are refused)",
    ),
    "integration_url_malformed": (
        "链接格式有误：需要完整的网址，主机名中不能有变量，不能含空格、引号或尖括号",
        "The URL is malformed: give a full address, no variable in the host name, no spaces, "
        "quotes or angle brackets",
    ),
    "integration_url_variable": (
        "未知的变量 {{{name}}}；可用：{{visitor_id}} {{visitor_name}} {{partner_id}} {{conversation_id}} "
        "{{agent_id}} {{agent_email}} {{company}} {{token}}",
        "Unknown variable {{{name}}}; available: {{visitor_id}} {{visitor_name}} {{partner_id}} "
        "{{conversation_id}} {{agent_id}} {{agent_email}} {{company}} {{token}}",
    ),
    "integration_token_invalid": ("令牌无效", "The token is invalid"),
    "integration_token_expired": ("令牌已过期", "The token has expired"),
    "identity_invalid": (
        "身份签名无效，未应用任何身份信息", "The identity signature is invalid; no identity was applied"
    ),
    "identity_expired": (
        "身份签名已过期（有效期 {minutes} 分钟），未应用任何身份信息，请刷新页面",
        "The identity signature has expired (valid for {minutes} minutes); nothing was applied, "
        "reload the page",
    ),
    "identity_not_enabled": (
        "该渠道未设置身份签名密钥（identity_secret），无法接收身份信息",
        "This channel has no identity secret (identity_secret); it cannot accept an identity",
    ),
    # 快捷回复 (quickreplies/)
    "quick_reply_title": ("请填写标题（1–{limit} 个字）", "Please give a title (1–{limit} characters)"),
    "quick_reply_text": ("请填写回复内容（1–{limit} 个字）", "Please write the reply (1–{limit} characters)"),
    "quick_reply_group": (
        "找不到该分组（只能放入同一回复库的分组）", "No such group in this library; choose one of its groups"
    ),
    "quick_reply_group_name": (
        "请填写分组名称（1–{limit} 个字）", "Please name the group (1–{limit} characters)"
    ),
    "quick_reply_shared": (
        "企业共用的快捷回复只能由管理员在后台修改",
        "Company quick replies are edited by admins in the console",
    ),
    "quick_reply_limit": ("个人快捷回复最多 {limit} 条", "A personal library holds at most {limit} entries"),
    # Service summaries and orders (summaries/, orders/).
    "summary_required": (
        "请先填写服务总结再结束会话", "Save the service summary before ending this conversation"
    ),
    "summary_types": (
        "最多选择 3 个已启用的总结类型", "Choose at most 3 enabled summary types"
    ),
    "summary_status": (
        "处理状态只能是已解决、未解决或跟进中", "The status must be solved, unsolved or following up"
    ),
    "summary_remark_too_long": ("备注不能超过 {limit} 个字", "The remark cannot exceed {limit} characters"),
    "summary_category_depth": (
        "总结分类只有两级：类型必须属于一个业务单元",
        "Categories have two levels: a type belongs to a business unit",
    ),
    "order_number": ("请填写订单号（1–64 个字符）", "Enter the order number (1–64 characters)"),
    "order_amount": (
        "订单金额须为不小于 0 的数字，最多两位小数", "The amount must be a number ≥ 0 with at most 2 decimals"
    ),
    "order_currency": (
        "币种须为 3 个字母的 ISO 4217 代码，如 CNY", "The currency must be a 3-letter ISO 4217 code, e.g. CNY"
    ),
    "order_status": ("无效的订单状态", "Invalid order status"),
    # Visitor panel (visitors/): profile edits.
    "visitor_phone_taken": (
        "该手机号已属于另一位访客（#{other}），未保存",
        "This phone number already belongs to another visitor (#{other}); not saved",
    ),
    "visitor_email_taken": (
        "该邮箱已属于另一位访客（#{other}），未保存",
        "This e-mail already belongs to another visitor (#{other}); not saved",
    ),
    "visitor_phone_invalid": ("手机号应为 5-20 位数字", "A phone number has 5-20 digits"),
    "visitor_email_invalid": ("邮箱格式不正确", "This is not a valid e-mail address"),
    "visitor_field_unknown": ("没有该自定义字段：{key}", "No such custom field: {key}"),
    "visitor_field_invalid": (
        "自定义字段“{label}”的值不正确", "The value of the custom field “{label}” is invalid"
    ),
    "visitor_field_key": (
        "字段标识只能用小写字母、数字和下划线，以字母开头（最多 32 个）",
        "The key takes lower-case letters, digits and _, starting with a letter (at most 32)",
    ),
    "visitor_field_label": (
        "请填写字段名称（最多 64 个字）", "Give the field a label (at most 64 characters)"
    ),
    "visitor_field_kind": (
        "字段类型只能是文本、数字、日期或选项", "The type is text, number, date or choice"
    ),
    "visitor_field_choices": (
        "选项类型需要 1-50 个选项，每个最多 64 个字",
        "A choice field needs 1-50 options of at most 64 characters",
    ),
    # Widget pre-chat form (widget/prechat.py): the visitor is never told who else has the value.
    "prechat_required": ("请填写表单中的必填项", "Please fill in the required fields"),
    "prechat_first": ("请先填写询前表单再开始咨询", "Please fill in the form before you start the chat"),
    "prechat_phone_taken": (
        "该手机号已被其他客户使用，请换一个号码", "This phone number is already in use; please enter another"
    ),
    "prechat_email_taken": (
        "该邮箱已被其他客户使用，请换一个邮箱", "This e-mail is already in use; please enter another"
    ),
    # Knowledge base (knowledge/): entries, articles, categories.
    "knowledge_question": (
        "请填写标准问题（1–{limit} 个字）", "Please write the standard question (1–{limit} characters)"
    ),
    "knowledge_similar": (
        "相似问题最多 {limit} 条，每条 1–{chars} 个字",
        "At most {limit} similar questions of 1–{chars} characters each",
    ),
    "knowledge_answer": (
        "请填写答案（去掉不安全的内容后不能为空，最多 {limit} 个字符）",
        "Please write the answer (it cannot be empty once unsafe content is removed; "
        "at most {limit} characters)",
    ),
    "knowledge_title": ("请填写标题（1–{limit} 个字）", "Please give a title (1–{limit} characters)"),
    "knowledge_body": (
        "正文不能超过 {limit} 个字符", "The body cannot exceed {limit} characters"
    ),
    "knowledge_validity": (
        "失效时间必须晚于生效时间", "The end of the validity period must be after its start"
    ),
    "knowledge_related": (
        "关联问题只能选本公司的其他问题，最多 {limit} 个",
        "Related questions must be other entries of your company, at most {limit}",
    ),
    "knowledge_audience": (
        "适用渠道或技能组不属于本公司，或客户分组名称有误（每个 1–{chars} 个字）",
        "A channel or skill group is not your company's, or a customer group name is invalid "
        "(1–{chars} characters each)",
    ),
    "knowledge_category": (
        "分类名称需 1–{limit} 个字，层级不能超过 {depth} 层，也不能放到自己下面",
        "A category name needs 1–{limit} characters, at most {depth} levels, and cannot sit under itself",
    ),
    "knowledge_import": (
        "有 {count} 行有误，未导入任何内容，请修改后重新导入",
        "{count} rows are invalid; nothing was imported. Fix them and import again",
    ),
    # Knowledge console (knowledge/attachments.py, knowledge/sheets.py): attachments and import files.
    "knowledge_attachment_too_large": ("附件不能超过 {limit}", "An attachment cannot exceed {limit}"),
    "knowledge_attachment_type": (
        "不支持该文件类型（图片、PDF、文本、Office 文档或 zip），每篇文章最多 {count} 个附件",
        "This file type is not accepted (images, PDF, text, Office documents or zip), "
        "and an article holds at most {count} attachments",
    ),
    "knowledge_import_file": (
        "请上传不超过 {limit} 的 xlsx 或 csv 文件（UTF-8），第一行为列名，且包含 question 和 answer 列",
        "Upload an xlsx or csv file (UTF-8) of at most {limit}, with column names in the first row "
        "including question and answer",
    ),
    "knowledge_import_category": (
        "找不到分类「{name}」", "No category named \u201c{name}\u201d",
    ),
    "knowledge_import_value": (
        "「{column}」列的值「{value}」无效", "The value \u201c{value}\u201d of column {column} is invalid",
    ),
    # Knowledge usage statistics (knowledge/usage_stats.py).
    "stats_range": (
        "请选择有效的日期范围：开始日期不晚于结束日期，最长 {limit} 天",
        "Choose a valid date range: the start on or before the end, at most {limit} days",
    ),
    # The robot (robot/actions.py).
    "robot_feedback_given": ("您已评价过这条回答", "You have already rated this answer"),
    "robot_name_taken": ("已有同名机器人", "A robot with this name already exists"),
    "robot_thresholds": (
        "建议阈值不能高于直接回答阈值 (0–1)",
        "The suggestion score cannot exceed the answer score (both 0–1)",
    ),
}


def message(code: str, lang: str = "zh", **params: Any) -> str:
    """Return the message for a code in zh or en."""
    zh, en = MESSAGES.get(code, MESSAGES["invalid_input"])
    text = en if lang.startswith("en") else zh
    return text.format(**params) if params else text


class KefuError(Exception):
    """A user-facing failure: rejected input, missing access, unknown object."""

    status = 400

    def __init__(
        self, code: str, *, status: int | None = None, fields: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message(code, "en", **params))
        self.code = code
        self.params = params
        self.fields = fields or {}
        if status is not None:
            self.status = status

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Render as the JSON error body used by every endpoint and socket ack."""
        body: dict[str, Any] = {
            "code": self.code,
            "message": message(self.code, lang, **self.params),
            "message_zh": message(self.code, "zh", **self.params),
            "message_en": message(self.code, "en", **self.params),
        }
        if self.fields:
            body["fields"] = self.fields
        return {"ok": False, "error": body}


class ValidationFailed(KefuError):
    """Input failed schema validation; fields carries the per-field errors."""

    def __init__(self, fields: dict[str, Any], code: str = "invalid_input", **params: Any) -> None:
        super().__init__(code, fields=fields, **params)


class NotFound(KefuError):
    """The object does not exist or is not visible to the caller."""

    status = 404


class Forbidden(KefuError):
    """The caller may not perform this operation."""

    status = 403
