"""One access helper for a report (reports.selectors.report_for_user): the report with what
the person's role allows, for one action; 404 for a report they may not see, 403 for an
action their role may not take on one they see."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reform.org.selectors import scope_for
from reform.reports.selectors import report_for_user

from .helpers import report_of

pytestmark = pytest.mark.django_db


def ask(user, report, action="view"):
    return report_for_user(scope=scope_for(user), report_id=report.pk, action=action)


def test_a_report_outside_the_persons_scope_is_not_found(cast, plan):
    police_report = report_of(cast["police"], 21, plan)
    # Another jurisdiction's office; a cooperating unit does not read the lead's report.
    with pytest.raises(Http404):
        ask(cast["harbin_office"], police_report)
    with pytest.raises(Http404):
        ask(cast["customs_staff"], report_of(cast["tax"], 21, plan), "edit")
    with pytest.raises(Http404):
        report_for_user(scope=scope_for(cast["office"]), report_id=0)


@pytest.mark.parametrize(
    "who, action",
    [
        ("tax_staff", "edit"),  # the lead unit reads a cooperating unit's report
        ("office", "edit"),  # the office and leadership read
        ("leader", "send"),
        ("police_staff", "sign_off"),  # staff send for sign-off; the head signs off
        ("police_staff", "review"),  # the office of the unit's jurisdiction reviews
        ("leader", "review"),
    ],
)
def test_an_action_the_persons_role_may_not_take_is_refused(cast, plan, who, action):
    with pytest.raises(PermissionDenied):
        ask(cast[who], report_of(cast["police"], 21, plan), action)


def test_an_allowed_action_gets_the_report_and_what_the_role_allows(cast, plan):
    police_report = report_of(cast["police"], 21, plan)

    access = ask(cast["police_staff"], police_report, "edit")
    assert access.report == police_report and access.can_edit and not access.can_review
    assert "edit" in access.actions and "send" in access.actions
    assert ask(cast["tax_head"], report_of(cast["tax"], 21, plan), "sign_off").can_sign_off
    assert ask(cast["office"], police_report, "review").can_review
    # Reading is what everyone who sees the report may do.
    assert ask(cast["tax_staff"], police_report).actions == frozenset()
