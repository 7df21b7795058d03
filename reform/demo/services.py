"""Demo data: the accounts of DESIGN.md ("Public surface"), a live reporting period and a
reporting history (``history.py``).

Idempotent: running it again leaves the same accounts, memberships, periods and reports.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from reform.org.models import Jurisdiction, Membership, Role, Unit
from reform.plan.models import Plan
from reform.plan.services import extend_periods, load_plan

from .history import seed_history

PROVINCE = "黑龙江省"
HARBIN = "哈尔滨市"
TAX_BUREAU = "国家税务总局黑龙江省税务局"
POLICE = "黑龙江省公安厅"
CUSTOMS = "哈尔滨海关"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    unit: str = ""  # official name of the unit, for unit roles
    jurisdiction: str = ""  # name of the jurisdiction, for office and leadership
    description: str = ""


DEMO_ACCOUNTS = (
    DemoAccount(
        "office",
        "省领导小组办公室",
        Role.OFFICE,
        jurisdiction=PROVINCE,
        description="provincial leading-group office",
    ),
    DemoAccount(
        "leader",
        "省领导小组成员",
        Role.LEADERSHIP,
        jurisdiction=PROVINCE,
        description="provincial leadership (read-only)",
    ),
    DemoAccount(
        "harbin-office",
        "哈尔滨市领导小组办公室",
        Role.OFFICE,
        jurisdiction=HARBIN,
        description="Harbin leading-group office",
    ),
    DemoAccount(
        "tax-staff",
        "省税务局经办人",
        Role.STAFF,
        unit=TAX_BUREAU,
        description="provincial tax bureau, staff (leads tasks 1-27)",
    ),
    DemoAccount(
        "tax-head",
        "省税务局负责人",
        Role.HEAD,
        unit=TAX_BUREAU,
        description="provincial tax bureau, head (signs off)",
    ),
    DemoAccount(
        "police-staff",
        "省公安厅经办人",
        Role.STAFF,
        unit=POLICE,
        description="provincial public security department (cooperates on 21, 23)",
    ),
    DemoAccount(
        "customs-staff",
        "哈尔滨海关经办人",
        Role.STAFF,
        unit=CUSTOMS,
        description="Harbin customs (cooperates on task 21)",
    ),
)


@transaction.atomic
def seed_demo(*, password: str, today: dt.date | None = None) -> list[DemoAccount]:
    """Create the demo accounts with their memberships; extend periods up to ``today``."""
    today = today or timezone.localdate()
    if not Plan.objects.exists():
        load_plan()
    extend_periods(through=today)
    user_model = get_user_model()
    users = {}
    for account in DEMO_ACCOUNTS:
        user, _ = user_model.objects.get_or_create(
            username=account.username,
            defaults={"email": f"{account.username}@example.gov.cn"},
        )
        if user.first_name != account.full_name or not user.check_password(password):
            user.first_name = account.full_name
            user.set_password(password)
            user.save()
        target = (
            {"unit": Unit.objects.get(name=account.unit)}
            if account.unit
            else {"jurisdiction": Jurisdiction.objects.get(name=account.jurisdiction)}
        )
        Membership.objects.get_or_create(user=user, role=account.role, **target)
        users[account.username] = user
    seed_history(users=users, today=today)
    return list(DEMO_ACCOUNTS)
