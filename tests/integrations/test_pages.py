"""Integration pages end to end: console validation, the workbench's tabs, the token check."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from kefu.integrations.actions import do_rotate_secret
from kefu.integrations.models import IntegrationPage
from kefu.integrations.tokens import issue
from kefu.settings.actions import do_save
from kefu.visitors.actions import check_open_session

from ..admin.helpers import (
    AGENT_PASSWORD,
    anonymous,
    client_for,
    owner_client,
    page,
    problems,
    rows,
    submit,
)
from ..presence.helpers import open_chat

CRM = "https://crm.example.com/c?vid={visitor_id}&name={visitor_name}&conv={conversation_id}&t={token}"


def _page(company, template=CRM, **kw):
    values = {"name_zh": "客户资料", "name_en": "Customer", "url_template": template, **kw}
    return do_save(None, IntegrationPage(company_id=company.id, **values), created=True)


def _chat(make):
    d = make.desk()
    conv = open_chat(make, d.channel)
    assert conv.agent_id == d.agent.id
    return d, conv


def test_console_saves_a_page_and_refuses_javascript_and_data_urls(app, make):
    """Admins add a tab in the console; javascript:/data: URLs and unknown variables are refused."""
    company = make.company()
    group = make.group(company, name="售后")
    client = owner_client(app, company)
    r = submit(client, "/admin/integration_pages/new/", {
        "name_zh": "订单", "name_en": "Orders", "url_template": "https://erp.example.com/o?p={partner_id}",
        "enabled": "y", "sort_order": "1", "groups": str(group.id),
    })
    assert r.status_code == 302, problems(r)
    saved = rows(IntegrationPage)[0]
    assert (saved.company_id, saved.group_ids) == (company.id, [group.id])
    for template, text in [("javascript:alert(1)", "http:// 或 https://"),
                           ("data:text/html,<b>x</b>", "http:// 或 https://"),
                           ("https://erp.example.com/?q={secret}", "未知的变量 {secret}")]:
        bad = submit(client, "/admin/integration_pages/new/", {
            "name_zh": "坏", "url_template": template, "enabled": "y", "sort_order": "0",
        })
        assert bad.status_code == 200 and text in problems(bad), problems(bad)
    assert len(rows(IntegrationPage)) == 1
    listing = page(client, "/admin/integration_pages/")
    assert "订单" in listing and "售后" in listing and "erp.example.com" in listing
    edit = page(client, f"/admin/integration_pages/edit/?id={saved.id}")
    assert f'value="{group.id}" selected' in edit or f'selected value="{group.id}"' in edit


def test_agent_gets_tabs_with_encoded_values_and_a_verifiable_token(app, make):
    """The assigned agent gets the tab URL filled in (values encoded); the token verifies."""
    d, conv = _chat(make)
    conv.visitor.name = "张三&x=<b>"
    _page(d.company)
    _page(d.company, "https://off.example.com/{visitor_id}", name_zh="停用", enabled=False)
    client = client_for(app, d.agent.email, AGENT_PASSWORD)
    from kefu.extensions import db

    db.session.commit()
    r = client.get(f"/api/integration/pages?conversation_id={conv.id}")
    assert r.status_code == 200, r.get_data(as_text=True)
    pages = r.get_json()["pages"]
    assert [p["name"] for p in pages] == ["客户资料"]
    query = parse_qs(urlsplit(pages[0]["url"]).query)
    assert query["vid"] == [str(conv.visitor_id)] and query["conv"] == [str(conv.id)]
    assert query["name"] == ["张三&x=<b>"] and "&x=" not in pages[0]["url"].split("name=")[1].split("&")[0]
    verified = anonymous(app).post("/api/integration/verify", json={"token": query["t"][0]})
    assert verified.status_code == 200
    claims = verified.get_json()["claims"]
    assert (claims["company_id"], claims["agent_id"], claims["visitor_id"], claims["conversation_id"]) == (
        d.company.id, d.agent.id, conv.visitor_id, conv.id)
    assert claims["company"] == d.company.slug and claims["exp"] > time.time()


def test_tabs_follow_skill_groups_and_conversation_access(app, make):
    """A tab limited to other groups is hidden; a colleague's or another company's chat is not found."""
    d, conv = _chat(make)
    other_group = make.group(d.company, name="VIP")
    _page(d.company, "https://a.example.com/{visitor_id}", name_zh="全员")
    _page(d.company, "https://b.example.com/{visitor_id}", name_zh="仅VIP", group_ids=[other_group.id])
    agent = client_for(app, d.agent.email, AGENT_PASSWORD)
    url = f"/api/integration/pages?conversation_id={conv.id}"
    names = [p["name"] for p in agent.get(url).get_json()["pages"]]
    assert names == ["全员"]
    colleague = make.user(d.company, groups=[other_group])
    outsider_co = make.company()
    outsider = make.user(outsider_co)
    for user in (colleague, outsider):
        r = client_for(app, user.email, AGENT_PASSWORD).get(url)
        assert r.status_code == 404
    assert anonymous(app).get(url).status_code == 401
    assert agent.get("/api/integration/pages?conversation_id=abc").status_code == 400


def test_forged_expired_and_rotated_tokens_are_refused(app, make):
    """A token with a changed claim, an expired one, or one signed before rotation is refused."""
    company = make.company()
    token = issue(company.id, company.slug, 1, 2, 3)
    client = anonymous(app)
    assert client.post("/api/integration/verify", json={"token": token}).status_code == 200
    head, body, sig = token.split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["visitor_id"] = 99
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    r = client.post("/api/integration/verify", json={"token": f"{head}.{forged}.{sig}"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "integration_token_invalid"
    for junk in ("", "a.b", "x.y.z", None, 5):
        assert client.post("/api/integration/verify", json={"token": junk}).status_code == 400
    app.config["KEFU_INTEGRATION_TOKEN_TTL"] = -1
    try:
        old = issue(company.id, company.slug, 1, 2, 3)
    finally:
        del app.config["KEFU_INTEGRATION_TOKEN_TTL"]
    r = client.post("/api/integration/verify", json={"token": old})
    assert r.get_json()["error"]["code"] == "integration_token_expired"
    do_rotate_secret(company.id)
    assert client.post("/api/integration/verify", json={"token": token}).status_code == 400


def test_verify_is_rate_limited(app, make):
    """Guessing tokens is slowed down: past the limit the endpoint answers 429."""
    company = make.company()
    token = issue(company.id, company.slug, 1, 2, 3)
    app.config["KEFU_INTEGRATION_VERIFY_RATE_LIMIT"] = "3 per minute"
    try:
        client = anonymous(app)
        codes = [client.post("/api/integration/verify", json={"token": token},
                             environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code for _ in range(5)]
    finally:
        del app.config["KEFU_INTEGRATION_VERIFY_RATE_LIMIT"]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_partner_id_variable_comes_from_the_identity_hand_off(app, make):
    """{partner_id} is the host site's id of the visitor bound by a signed hand-off."""
    from .identity_helpers import set_identity_secret, signed

    d = make.desk()
    set_identity_secret(d.channel, "s3cret")
    visitor = check_open_session(d.channel, {"identity": signed("s3cret", partner_id="u-42")}, "1.1.1.1", "x")
    from kefu.conversations.actions import check_visitor_message
    from kefu.visitors.token import verify

    msg, _ = check_visitor_message(verify(visitor["token"]), {"text": "hi"})
    _page(d.company, "https://crm.example.com/p/{partner_id}")
    agent = client_for(app, d.agent.email, AGENT_PASSWORD)
    pages = agent.get(f"/api/integration/pages?conversation_id={msg.conversation_id}").get_json()["pages"]
    assert pages[0]["url"] == "https://crm.example.com/p/u-42"


def test_a_secret_sealed_under_another_key_is_replaced_not_a_server_error(app, make):
    """After a SECRET_KEY change the old secret is unreadable: old tokens are refused, new ones work."""
    from kefu.extensions import db
    from kefu.integrations.models import IntegrationSecret

    company = make.company()
    old = issue(company.id, company.slug, 1, 2, 3)
    row = db.session.query(IntegrationSecret).filter_by(company_id=company.id).one()
    row.secret_encrypted = "sealed-under-an-older-key"
    db.session.commit()
    client = anonymous(app)
    assert client.post("/api/integration/verify", json={"token": old}).status_code == 400
    fresh_token = issue(company.id, company.slug, 1, 2, 3)
    assert client.post("/api/integration/verify", json={"token": fresh_token}).status_code == 200


def test_console_shows_the_token_secret_and_rotates_it(app, make):
    """Admins read the secret enterprise pages verify with; replacing it voids older tokens."""
    import re

    from ..admin.helpers import client_for as login_as

    company = make.company()
    client = owner_client(app, company)
    html = page(client, "/admin/integration_token/?lang=zh")
    assert "对接页面令牌" in html and "/api/integration/verify" in html
    secret = re.search(r'<pre id="integration-secret"[^>]*>([^<]+)</pre>', html).group(1)
    token = issue(company.id, company.slug, 1, 2, 3)
    # Any JWT library can check it with that secret: HS256 is HMAC-SHA256 over "header.payload".
    import base64
    import hashlib
    import hmac

    signing_input, sig = token.rsplit(".", 1)
    expected = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(expected).rstrip(b"=").decode() == sig
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post("/admin/integration_token/", data={"csrf_token": csrf})
    assert r.status_code == 302
    assert anonymous(app).post("/api/integration/verify", json={"token": token}).status_code == 400
    after = page(client, "/admin/integration_token/")
    assert secret not in after
    assert client.post("/admin/integration_token/", data={}).status_code == 302  # no CSRF token
    assert _shown_secret(page(client, "/admin/integration_token/")) == _shown_secret(after)
    agent = login_as(app, make.user(company).email, AGENT_PASSWORD)
    assert agent.get("/admin/integration_token/").status_code in (302, 403)


def _shown_secret(html):
    import re

    return re.search(r'<pre id="integration-secret"[^>]*>([^<]+)</pre>', html).group(1)
