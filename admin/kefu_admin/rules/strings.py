"""The rule editor script's wording, translated on the server (the script has no catalog)."""

from __future__ import annotations

from flask_babel import gettext as _


def ui_strings() -> dict[str, str]:
    """Return the script's strings in the request's language."""
    return {
        "rule_name": _("Rule name"),
        "enabled": _("Enabled"),
        "continue_": _("Continue"),
        "continue_hint": _("After this rule matches, later matching rules may add actions"),
        "drag": _("Drag to reorder"),
        "move_up": _("Move up"),
        "move_down": _("Move down"),
        "remove": _("Remove"),
        "when": _("When"),
        "always": _("no condition: always matches"),
        "then": _("Then"),
        "group_all": _("All of these hold"),
        "group_any": _("Any of these holds"),
        "group_none": _("None of these holds"),
        "add_condition": _("Condition"),
        "add_group": _("Group"),
        "add_action": _("Action"),
        "choose": _("— choose —"),
        "comma_hint": _("Separate values with commas"),
        "no_rules": _("No rules yet: every decision uses the defaults."),
        "new_rule": _("New rule"),
        "unsaved": _("Unsaved changes"),
        "saved": _("Draft saved"),
        "draft_loaded": _("Editing the saved draft"),
        "published_loaded": _("Editing a copy of the published version"),
        "valid": _("No problems found: the rules and their cases pass."),
        "published": _("Published as version {version}"),
        "refused": _("Not published:"),
        "cases_invalid": _("The cases are not valid JSON."),
        "network_error": _("The server could not be reached; nothing was changed."),
        "yes": _("Yes"),
        "no": _("No"),
        "unset": _("(not set)"),
        "decision": _("Decision"),
        "no_rule": _("No rule matched (defaults)"),
        "applied": _("Applied"),
        "matched": _("Matched"),
        "not_matched": _("Not matched"),
        "disabled": _("Disabled"),
        "actual": _("actual"),
        "missing_value": _("not set"),
        "dry_result": _("{changed} of {total} recent decisions would change."),
        "conversation": _("Conversation"),
        "before": _("Published"),
        "after": _("Draft"),
    }
