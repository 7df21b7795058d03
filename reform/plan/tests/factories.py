"""Builders of plan data for tests. The shipped plan comes from ``load_plan``; these make
small, readable worlds of any size without it."""

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from reform.org.models import Jurisdiction, Membership, Origin, Role, Unit
from reform.plan.models import Assignment, Indicator, Milestone, Plan, Section, Task

NUMERALS = "一二三四五六七八九十"
PASSWORD = "correct-horse-battery-staple"
_sequence = itertools.count(1)


def province() -> Jurisdiction:
    jurisdiction, _ = Jurisdiction.objects.get_or_create(
        code="heilongjiang",
        defaults={"name": "黑龙江省", "level": Jurisdiction.Level.PROVINCE, "origin": Origin.PLAN},
    )
    return jurisdiction


def city(*, name: str = "哈尔滨市", parent: Jurisdiction | None = None) -> Jurisdiction:
    n = next(_sequence)
    return Jurisdiction.objects.create(
        code=f"city-{n}",
        name=name,
        level=Jurisdiction.Level.CITY,
        parent=parent or province(),
        order=n,
        origin=Origin.PLAN,
    )


def unit(
    *, name: str | None = None, text_name: str = "", jurisdiction: Jurisdiction | None = None
) -> Unit:
    n = next(_sequence)
    return Unit.objects.create(
        jurisdiction=jurisdiction or province(),
        code=f"unit-{n}",
        name=name or f"黑龙江省第{n}厅",
        text_name=text_name,
        order=n,
        origin=Origin.PLAN,
    )


def _another_unit() -> Unit:
    return unit()  # here ``unit`` is the builder above, not a parameter


def plan(**fields) -> Plan:
    values = {
        "code": "heilongjiang-2021",
        "title": "黑龙江省关于进一步深化税收征管改革实施方案",
        "issuers": "中共黑龙江省委办公厅 黑龙江省人民政府办公厅",
        "issued_on": dt.date(2021, 7, 8),
        "general_requirements": "以习近平新时代中国特色社会主义思想为指导，深化我省税收征管改革。",
        "organisation": "加强组织领导。",
    }
    values.update(fields)
    return Plan.objects.create(**values)


def section(*, plan: Plan, number: int, title: str | None = None) -> Section:
    return Section.objects.create(
        plan=plan, number=number, numeral=NUMERALS[number - 1], title=title or f"第{number}组任务"
    )


def task(
    *,
    section: Section,
    number: int,
    short_title: str | None = None,
    full_text: str | None = None,
    jurisdiction: Jurisdiction | None = None,
    implements: Task | None = None,
) -> Task:
    short_title = short_title or f"任务标题{number}"
    return Task.objects.create(
        plan=section.plan,
        section=section,
        number=number,
        short_title=short_title,
        full_text=full_text or f"{short_title}。第{number}项任务的全文。",
        jurisdiction=jurisdiction,
        implements=implements,
        origin=Origin.OFFICE if jurisdiction else Origin.PLAN,
    )


def assignment(
    *, task: Task, unit: Unit, role: str = Assignment.Role.LEAD, justification: str = ""
) -> Assignment:
    return Assignment.objects.create(
        task=task,
        unit=unit,
        role=role,
        justification=justification or "省税务局要加强组织协调，牵头抓好实施方案的贯彻落实",
        origin=Origin.PLAN,
    )


def indicator(*, task: Task, **fields) -> Indicator:
    n = next(_sequence)
    values = {
        "code": f"indicator-{n}",
        "name": f"指标{n}",
        "source_text": "2021年将办理正常出口退税的平均时间压缩至6个工作日以内",
        "comparison": Indicator.Comparison.AT_MOST,
        "target": Decimal("6.00"),
        "unit_of_measure": "个工作日",
        "deadline": dt.date(2021, 12, 31),
        "origin": Origin.PLAN,
    }
    values.update(fields)
    return Indicator.objects.create(task=task, **values)


def milestones(*, plan: Plan) -> list[Milestone]:
    goals = {
        2022: "在税务执法规范性、税费服务便捷性、税务监管精准性上取得重要进展",
        2023: "基本建成税务执法、税费服务、税务监管新体系",
        2025: "基本建成功能强大的智慧税务",
    }
    return [Milestone.objects.create(plan=plan, year=y, goal=f"{y}年{g}") for y, g in goals.items()]


def user(
    username: str = "alice",
    *,
    role: str = Role.STAFF,
    unit: Unit | None = None,
    jurisdiction: Jurisdiction | None = None,
    email: str = "",
    password: str = PASSWORD,
):
    """A person with one membership (staff at a new provincial unit unless told otherwise)."""
    person = get_user_model().objects.create_user(
        username=username, password=password, email=email or f"{username}@example.gov.cn"
    )
    if role in (Role.STAFF, Role.HEAD):
        Membership.objects.create(user=person, role=role, unit=unit or _another_unit())
    else:
        Membership.objects.create(user=person, role=role, jurisdiction=jurisdiction or province())
    return person


def whole_plan(*, tasks: int = 27, sections: int = 6, cooperating: int = 3) -> Plan:
    """A plan shaped like the shipped one: every task led by the tax bureau, each with
    ``cooperating`` cooperating units, one indicator per task, and a city unit assigned too
    (the overview must leave the city's assignments out)."""
    the_plan = plan()
    milestones(plan=the_plan)
    groups = [section(plan=the_plan, number=n) for n in range(1, sections + 1)]
    tax_bureau = unit(name="国家税务总局黑龙江省税务局", text_name="省税务局")
    partners = [unit(text_name=f"部门{n}") for n in range(cooperating)]
    harbin_unit = unit(name="国家税务总局哈尔滨市税务局", jurisdiction=city())
    for number in range(1, tasks + 1):
        add_task(
            plan=the_plan,
            section=groups[(number - 1) * sections // tasks],
            number=number,
            lead=tax_bureau,
            partners=partners,
            city_unit=harbin_unit,
        )
    return the_plan


def add_task(*, plan: Plan, section: Section, number: int, lead, partners, city_unit=None):
    new = task(section=section, number=number)
    assignment(task=new, unit=lead)
    for partner in partners:
        assignment(
            task=new, unit=partner, role=Assignment.Role.COOPERATING, justification="协同措施"
        )
    if city_unit is not None:
        assignment(task=new, unit=city_unit)
    indicator(task=new)
    return new
