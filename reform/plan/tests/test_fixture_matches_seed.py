"""The plan the application ships says, word for word, what the seed text says.

The seed is read here on its own (stdlib HTML parser), not through the loader, so a slip in
the fixture or the loader shows up as a difference from the published text.
"""

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from reform.org.models import Jurisdiction, Unit
from reform.plan.models import Assignment, Indicator, Milestone, Period, Plan, Section, Task
from reform.plan.services import load_plan
from reform.workdays.services import WorkCalendar

SEED = Path(settings.BASE_DIR) / "fixtures" / "seed" / "heilongjiang-2021-07-08.txt"
NUMERALS = "一二三四五六"

pytestmark = pytest.mark.django_db


class _Paragraphs(HTMLParser):
    """The text of every <p>, with tags dropped and entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._current = []

    def handle_endtag(self, tag):
        if tag == "p" and self._current is not None:
            # Paragraphs are indented with ideographic spaces (U+3000).
            self.paragraphs.append("".join(self._current).strip("\u3000 \n"))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


@dataclass(frozen=True)
class Seed:
    paragraphs: list[str]
    general_requirements: str
    organisation: list[str]
    sections: list[tuple[str, str]]
    tasks: dict[int, str]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@pytest.fixture(scope="module")
def seed() -> Seed:
    parser = _Paragraphs()
    parser.feed(SEED.read_text(encoding="utf-8"))
    paragraphs = parser.paragraphs
    general = paragraphs.index("一、总体要求")
    main = paragraphs.index("二、主要任务")
    organisation = paragraphs.index("三、组织实施")
    sections, tasks = [], {}
    for paragraph in paragraphs[main + 1 : organisation]:
        if m := re.fullmatch(r"（([一二三四五六])）(.+)", paragraph):
            sections.append((m[1], m[2]))
        elif m := re.fullmatch(r"(\d+)．\s*(.+)", paragraph):
            tasks[int(m[1])] = m[2]
    return Seed(
        paragraphs=paragraphs,
        general_requirements=paragraphs[general + 1],
        organisation=[
            p for p in paragraphs[organisation + 1 :] if re.match(r"（[一二三四五六七八九十]）", p)
        ],
        sections=sections,
        tasks=tasks,
    )


@pytest.fixture
def plan() -> Plan:
    load_plan()
    return Plan.objects.get()


def test_the_plan_carries_its_title_issuers_and_framing_texts(plan, seed):
    assert f"原标题：{plan.title}" in seed.paragraphs
    assert f"{plan.issuers}印发《{plan.title}》的通知" in seed.paragraphs
    assert plan.issued_on == dt.date(2021, 7, 8)
    assert "2021年7月8日" in seed.paragraphs
    assert plan.general_requirements == seed.general_requirements
    assert len(seed.organisation) == 3
    assert plan.organisation.split("\n") == seed.organisation


def test_the_six_sections_come_in_the_seeds_order_with_its_titles(plan, seed):
    sections = list(Section.objects.filter(plan=plan).order_by("number"))

    assert [(s.numeral, s.title) for s in sections] == seed.sections
    assert [s.number for s in sections] == [NUMERALS.index(n) + 1 for n, _ in seed.sections]


def test_every_task_carries_its_paragraph_word_for_word(plan, seed):
    tasks = list(Task.objects.filter(plan=plan, jurisdiction__isnull=True).order_by("number"))

    assert len(seed.tasks) == 27
    assert [t.number for t in tasks] == sorted(seed.tasks)
    for task in tasks:
        paragraph = seed.tasks[task.number]
        assert task.full_text == paragraph, f"task {task.number}"
        assert task.short_title == paragraph.split("。")[0]
        assert task.full_text.startswith(task.short_title + "。")


def test_each_task_sits_in_the_section_the_seed_puts_it_under(plan, seed):
    main = seed.paragraphs.index("二、主要任务")
    organisation = seed.paragraphs.index("三、组织实施")
    expected, section_title = {}, None
    for paragraph in seed.paragraphs[main + 1 : organisation]:
        if m := re.fullmatch(r"（[一二三四五六]）(.+)", paragraph):
            section_title = m[1]
        elif m := re.match(r"(\d+)．", paragraph):
            expected[int(m[1])] = section_title

    tasks = Task.objects.filter(plan=plan).select_related("section")
    assert {t.number: t.section.title for t in tasks} == expected


def test_the_milestones_are_the_goal_sentences_of_the_general_requirements(plan, seed):
    milestones = list(Milestone.objects.filter(plan=plan).order_by("year"))

    assert [m.year for m in milestones] == [2022, 2023, 2025]
    for milestone in milestones:
        assert milestone.goal.startswith(f"{milestone.year}年")
        start = seed.general_requirements.index(milestone.goal)
        # A whole clause: it ends where the text puts a ； or 。, and starts after a ， or ；.
        assert seed.general_requirements[start + len(milestone.goal)] in "；。"
        assert seed.general_requirements[start - 1] in "，；"


def test_task_15_states_two_measurable_targets_in_its_own_words(plan, seed):
    indicators = {i.unit_of_measure: i for i in Indicator.objects.select_related("task")}
    refund, taxes = indicators["个工作日"], indicators["税种"]

    for indicator in (refund, taxes):
        assert indicator.task.number == 15
        assert indicator.source_text in seed.tasks[15]
        assert (
            f"{indicator.target.normalize():f}{indicator.unit_of_measure}" in indicator.source_text
        )
    assert refund.comparison == Indicator.Comparison.AT_MOST
    assert refund.deadline == dt.date(2021, 12, 31)


def test_the_tax_bureau_leads_every_task_and_others_cooperate_where_the_text_names_them(plan, seed):
    assignments = list(
        Assignment.objects.select_related("task", "unit").prefetch_related("unit__names")
    )

    assert len(assignments) == 36
    leads = [a for a in assignments if a.role == Assignment.Role.LEAD]
    assert sorted(a.task.number for a in leads) == list(range(1, 28))
    assert {a.unit.name_on(plan.issued_on) for a in leads} == {"国家税务总局黑龙江省税务局"}
    cooperating = [a for a in assignments if a.role == Assignment.Role.COOPERATING]
    assert sorted(a.task.number for a in cooperating) == [21] * 6 + [23] * 3
    for assignment in assignments:
        assert assignment.justification in seed.text
        assert assignment.unit.text_name in assignment.justification
        if assignment.role == Assignment.Role.COOPERATING:
            assert assignment.justification in seed.tasks[assignment.task.number]
    assert len({a.plan_key for a in assignments}) == 36


def test_the_leading_groups_deputies_are_the_departments_the_text_names(plan, seed):
    clause = re.search(r"组长，(.+?)等部门主要负责同志担任副组长", seed.text)[1]
    named = clause.split("、")
    deputies = Unit.objects.filter(group_role=Unit.GroupRole.DEPUTY)

    assert len(named) == deputies.count() == 5
    for department in named:
        assert [u for u in deputies if department in u.text_name], department


def test_reports_are_due_each_june_25_and_december_25_from_2021_to_2025(plan):
    periods = list(Period.objects.order_by("year", "half"))
    expected_dues = [dt.date(year, month, 25) for year in range(2021, 2026) for month in (6, 12)][
        1:
    ]
    calendar = WorkCalendar.load()

    assert [p.due_on for p in periods] == expected_dues
    for period in periods:
        assert period.opens_on == dt.date(period.year, 1 if period.half == 1 else 7, 1)
        assert period.opens_on < period.cooperating_due_on < period.due_on
        assert calendar.is_workday(period.cooperating_due_on)
        assert not period.is_closed


def test_the_province_and_its_thirteen_city_level_jurisdictions(plan):
    province = Jurisdiction.objects.get(level=Jurisdiction.Level.PROVINCE)
    cities = Jurisdiction.objects.filter(level=Jurisdiction.Level.CITY).order_by("order")

    assert province.name == "黑龙江省"
    assert [c.name for c in cities] == [
        "哈尔滨市",
        "齐齐哈尔市",
        "牡丹江市",
        "佳木斯市",
        "大庆市",
        "鸡西市",
        "双鸭山市",
        "伊春市",
        "七台河市",
        "鹤岗市",
        "黑河市",
        "绥化市",
        "大兴安岭地区",
    ]
    assert all(c.parent_id == province.pk and c.is_within(province) for c in cities)
    assert Jurisdiction.objects.count() == 14
