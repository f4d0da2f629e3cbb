"""Knowledge for the panel tests, written through the knowledge actions."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from kefu.knowledge.actions import check_save_article, check_save_category, check_save_entry


def entry(company: Any, question: str, answer: str, **extra: Any) -> Any:
    """A Q&A entry, published unless told otherwise."""
    return check_save_entry(None, company.id, {"question": question, "answer": answer,
                                               "status": "published", **extra})


def article(company: Any, title: str, body: str, **extra: Any) -> Any:
    """An internal article, published unless told otherwise."""
    return check_save_article(None, company.id, {"title": title, "body": body,
                                                 "status": "published", **extra})


def library(make: Any) -> SimpleNamespace:
    """A company with two skill groups, an agent in the first, a manager, an admin, and 退款
    knowledge of every visibility: open, per group, draft, expired; plus another company's."""
    company = make.company()
    g1, g2 = make.group(company), make.group(company)
    agent = make.user(company, groups=[g1])
    other_agent = make.user(company, groups=[g2])
    manager = make.user(company, role="manager")
    admin = make.user(company, role="admin")
    after_sales = check_save_category(None, company.id, {"name": "售后", "name_en": "After sales"})
    refunds = check_save_category(None, company.id, {"name": "退款", "parent_id": after_sales.id})
    qa = entry(company, "怎么申请退款", "<p>打开<b>我的订单</b>，点击申请退款</p>",
               similar=["我要退款"], category_id=refunds.id)
    open_article = article(company, "退款规则", "<p>七天无理由退款</p>", category_id=after_sales.id)
    g1_article = article(company, "退款复核流程", "<p>一组专用</p>", skill_group_ids=[g1.id],
                         category_id=refunds.id)
    g2_article = article(company, "退款抽检流程", "<p>二组专用</p>", skill_group_ids=[g2.id],
                         category_id=refunds.id)
    draft = entry(company, "退款草稿问题", "<p>未审核</p>", status="draft", category_id=refunds.id)
    expired = entry(company, "去年的退款活动", "<p>已结束</p>", valid_until="2020-01-01T00:00:00+00:00")
    loose = entry(company, "发票怎么开", "<p>订单详情里申请</p>")
    elsewhere = make.company()
    foreign = entry(elsewhere, "怎么申请退款", "<p>别家的答案</p>")
    return SimpleNamespace(**locals())
