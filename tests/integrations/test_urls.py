"""URL templates of integration pages: only absolute http(s) URLs with known variables."""

from __future__ import annotations

import pytest

from kefu.integrations.urls import TemplateError, check_template, render


@pytest.mark.parametrize("template", [
    "https://crm.example.com/customer?id={visitor_id}&conv={conversation_id}&t={token}",
    "http://10.0.0.5:8080/orders/{partner_id}",
    "https://crm.example.com?id={visitor_id}#{token}",
    "https://erp.example.com/a/{agent_id}/{agent_email}/{company}?n={visitor_name}",
])
def test_http_templates_with_known_variables_are_accepted(template):
    """Absolute http(s) templates using only the documented variables are accepted."""
    assert check_template("  " + template + " ") == template


@pytest.mark.parametrize(("template", "code"), [
    ("javascript:alert(1)//{visitor_id}", "integration_url_scheme"),
    ("JavaScript:alert(document.cookie)", "integration_url_scheme"),
    ("data:text/html,<script>alert(1)</script>", "integration_url_scheme"),
    ("vbscript:msgbox(1)", "integration_url_scheme"),
    ("/relative/page?id={visitor_id}", "integration_url_scheme"),
    ("//evil.example.com/x", "integration_url_scheme"),
    ("ftp://files.example.com/{visitor_id}", "integration_url_scheme"),
    ("", "integration_url_scheme"),
    ("https://{visitor_name}.example.com/", "integration_url_malformed"),
    ("https://x@{visitor_name}/", "integration_url_malformed"),
    ("https:///nohost", "integration_url_malformed"),
    ("https://crm.example.com/a b", "integration_url_malformed"),
    ("https://crm.example.com/\"onload=alert(1)", "integration_url_malformed"),
    ("https://crm.example.com/<x>", "integration_url_malformed"),
    ("https://crm.example.com:port/", "integration_url_malformed"),
    ("https://crm.example.com/{visitor_id", "integration_url_malformed"),
    ("https://crm.example.com/?x={password}", "integration_url_variable"),
    ("https://crm.example.com/?x={}", "integration_url_variable"),
])
def test_dangerous_or_malformed_templates_are_refused(template, code):
    """javascript:, data:, vbscript:, relative, malformed URLs and unknown variables are refused."""
    with pytest.raises(TemplateError) as err:
        check_template(template)
    assert err.value.code == code


def test_values_are_url_encoded():
    """Values cannot break out of their place in the URL: every one is percent-encoded."""
    url = render("https://crm.example.com/c?name={visitor_name}&id={visitor_id}",
                 {"visitor_name": "张三&admin=1 <script>", "visitor_id": "7"})
    assert url == ("https://crm.example.com/c?name=%E5%BC%A0%E4%B8%89%26admin%3D1%20%3Cscript%3E"
                   "&id=7")
