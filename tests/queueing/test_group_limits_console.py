"""The console's skill-group form carries the group's own queue limits."""

from __future__ import annotations

from kefu.org.models import SkillGroup

from ..admin.helpers import owner_client, problems, rows, submit


def test_owner_sets_and_clears_a_groups_queue_limits(app, make):
    """Limits typed in the group form are saved; emptied they follow the company again; bad ones refused."""
    company = make.company()
    client = owner_client(app, company)
    r = submit(client, "/admin/skill_groups/new/", {
        "name": "售后", "sort_order": "0", "queue_max_length": "5", "queue_max_wait_seconds": "120"})
    assert r.status_code == 302, problems(r)
    group = rows(SkillGroup, SkillGroup.name == "售后")[0]
    assert (group.queue_max_length, group.queue_max_wait_seconds) == (5, 120)
    r = submit(client, f"/admin/skill_groups/edit/?id={group.id}", {
        "name": "售后", "sort_order": "0", "queue_max_length": "", "queue_max_wait_seconds": "0"})
    assert r.status_code == 302, problems(r)
    group = rows(SkillGroup, SkillGroup.id == group.id)[0]
    assert (group.queue_max_length, group.queue_max_wait_seconds) == (None, 0)
    bad = submit(client, f"/admin/skill_groups/edit/?id={group.id}&lang=en", {
        "name": "售后", "sort_order": "0", "queue_max_length": "-1", "queue_max_wait_seconds": "0"})
    assert bad.status_code == 200
    assert rows(SkillGroup, SkillGroup.id == group.id)[0].queue_max_length is None
