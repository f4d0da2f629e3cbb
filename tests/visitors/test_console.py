"""The console's visitor-field page (访客自定义字段): admins define the fields agents fill in."""

from __future__ import annotations

from kefu.visitors.fields import VisitorField

from ..admin.helpers import csrf_from, owner_client, page, rows


def _create(client, **data):
    body = page(client, "/admin/visitor_fields/new/")
    form = {"csrf_token": csrf_from(body), "label": "套餐", "key": "plan", "kind": "choice",
            "choices_text": "基础版\n专业版\n专业版\n", "sort_order": "1", **data}
    return client.post("/admin/visitor_fields/new/", data=form, follow_redirects=True)


def test_admin_creates_a_choice_field(ctx, make):
    """A choice field is saved with its options (blank and repeated lines dropped) in the admin's company."""
    company = make.company()
    client = owner_client(ctx, company)
    r = _create(client)
    assert r.status_code == 200
    (field,) = rows(VisitorField)
    assert (field.company_id, field.key, field.kind, field.choices) == (company.id, "plan", "choice",
                                                                         ["基础版", "专业版"])
    assert "套餐" in page(client, "/admin/visitor_fields/")
    other = owner_client(ctx, make.company())
    assert "套餐" not in page(other, "/admin/visitor_fields/")


def test_bad_definitions_are_refused(ctx, make):
    """A bad key, a choice field without options and a duplicate key are refused with a reason."""
    client = owner_client(ctx, make.company())
    assert "字段标识" in _create(client, key="Plan!").get_data(as_text=True)
    assert "选项" in _create(client, choices_text="").get_data(as_text=True)
    assert not rows(VisitorField)
    _create(client, kind="text", choices_text="")
    assert len(rows(VisitorField)) == 1
    _create(client, kind="text", choices_text="")
    assert len(rows(VisitorField)) == 1
