"""The plan pages a signed-in user browses: the overview and one page per task."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from reform.org.models import Membership, Role
from reform.plan.models import Assignment, Indicator, Section, Task

from . import factories

pytestmark = pytest.mark.django_db

# Every signed-in request: the session, the user, the user's memberships (the menu shows
# what their roles allow), and saving the session again
# (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release) = 6.
REQUEST_QUERIES = 6
# The overview: plan, milestones, sections, tasks, assignments with their units.
OVERVIEW_QUERIES = REQUEST_QUERIES + 5
# A task: the task (section, plan), its assignments, indicators, local tasks, previous, next.
TASK_QUERIES = REQUEST_QUERIES + 6


@pytest.fixture
def plan():
    return factories.whole_plan(tasks=27, cooperating=3)


@pytest.fixture
def alice(client):
    """Alice works at a provincial unit; the plan pages are open to every signed-in user."""
    alice = factories.user("alice", role=Role.STAFF)
    client.force_login(alice)
    return alice


def task_numbered(number: int) -> Task:
    return Task.objects.get(number=number, jurisdiction__isnull=True)


class TestOverview:
    def test_it_shows_the_plan_with_its_milestones_and_requirements(self, client, alice, plan):
        response = client.get(reverse("plan:overview"))

        assert response.status_code == 200
        html = response.content.decode()
        assert plan.title in html
        assert "中共黑龙江省委办公厅 黑龙江省人民政府办公厅" in html
        assert "2021年7月8日" in html
        assert plan.general_requirements in html
        assert "总体要求" in html
        for year, words in ((2022, "取得重要进展"), (2023, "新体系"), (2025, "智慧税务")):
            assert f"{year}年" in html
            assert f"{year}年{year}年" not in html  # the goal's own year is not repeated
            assert words in html

    def test_it_lists_every_task_by_section_with_lead_and_cooperating_units(
        self, client, alice, plan
    ):
        response = client.get(reverse("plan:overview"))

        sections = response.context["overview"].sections
        assert [s.numeral for s in sections] == list("一二三四五六")
        numbers = [t.number for s in sections for t in s.plan_tasks]
        assert numbers == list(range(1, 28))
        task = sections[0].plan_tasks[0]
        assert [a.unit.text_name for a in task.lead_assignments] == ["省税务局"]
        assert [a.unit.text_name for a in task.cooperating_assignments] == [
            "部门0",
            "部门1",
            "部门2",
        ]
        html = response.content.decode()
        assert f'href="{reverse("plan:task", args=[task.pk])}"' in html
        assert "牵头" in html and "配合" in html
        assert "部门0、部门1、部门2" in html

    def test_it_leaves_out_city_assignments_and_removed_ones(self, client, alice, plan):
        removed = Assignment.objects.filter(task__number=1, unit__text_name="部门1").get()
        removed.is_active = False
        removed.save()

        response = client.get(reverse("plan:overview"))

        first = response.context["overview"].sections[0].plan_tasks[0]
        assert [a.unit.text_name for a in first.cooperating_assignments] == ["部门0", "部门2"]
        assert "哈尔滨市税务局" not in response.content.decode()

    def test_it_runs_the_same_queries_however_many_tasks_and_units(
        self, client, alice, plan, django_assert_num_queries
    ):
        with django_assert_num_queries(OVERVIEW_QUERIES):
            response = client.get(reverse("plan:overview"))
        assert response.status_code == 200

        # Twice the units on every task, and nine more tasks.
        more_partners = [factories.unit(text_name=f"新部门{n}") for n in range(3)]
        lead = Assignment.objects.filter(role="lead", task__number=1).first().unit
        for task in Task.objects.all():
            for partner in more_partners:
                factories.assignment(task=task, unit=partner, role="cooperating")
        last_section = Section.objects.get(number=6)
        for number in range(28, 37):
            factories.add_task(
                plan=plan, section=last_section, number=number, lead=lead, partners=more_partners
            )

        with django_assert_num_queries(OVERVIEW_QUERIES):
            response = client.get(reverse("plan:overview"))
        assert len(response.context["overview"].sections[5].plan_tasks) > 9

    def test_before_the_plan_is_loaded_it_says_so(self, client, alice):
        response = client.get(reverse("plan:overview"))

        assert response.status_code == 200
        assert "load_plan" in response.content.decode()


class TestTaskPage:
    @pytest.fixture
    def task15(self, plan):
        """Task 15 as the plan words it, with its two indicators."""
        task = task_numbered(15)
        task.short_title = "进一步压减纳税缴费次数和时间"
        task.full_text = (
            "进一步压减纳税缴费次数和时间。2021年将办理正常出口退税的平均时间压缩至6个工作日以内，"
            "对高信用级别企业进一步缩短办理时间。实行财产和行为税10税种合并申报。"
        )
        task.save()
        task.indicators.all().delete()
        factories.indicator(
            task=task,
            code="export-refund-days",
            name="办理正常出口退税的平均时间",
            target=Decimal("6.00"),
            unit_of_measure="个工作日",
        )
        factories.indicator(
            task=task,
            code="combined-filing-taxes",
            name="财产和行为税合并申报税种数",
            comparison=Indicator.Comparison.AT_LEAST,
            target=Decimal("10"),
            unit_of_measure="个税种",
            source_text="实行财产和行为税10税种合并申报",
            deadline=None,
        )
        return task

    def test_it_shows_the_task_its_units_and_indicators(self, client, alice, task15):
        response = client.get(reverse("plan:task", args=[task15.pk]))

        assert response.status_code == 200
        html = response.content.decode()
        assert "15．" in html and "进一步压减纳税缴费次数和时间" in html
        assert "2021年将办理正常出口退税的平均时间压缩至6个工作日以内" in html
        assert task15.section.title in html
        # Assignments: official name, role, justifying words, origin.
        assert "国家税务总局黑龙江省税务局" in html
        assert "牵头" in html and "配合" in html
        assert "省税务局要加强组织协调，牵头抓好实施方案的贯彻落实" in html
        assert "实施方案" in html
        # The city's own assignment is shown with its jurisdiction.
        assert "国家税务总局哈尔滨市税务局" in html
        # Indicators: name, comparison, target, unit of measure, deadline, the plan's words.
        assert "办理正常出口退税的平均时间" in html
        assert "不超过6个工作日" in html
        assert "不少于10个税种" in html
        assert "2021年12月31日" in html
        assert "实行财产和行为税10税种合并申报" in html
        assert f'href="{reverse("plan:overview")}' in html

    def test_it_lists_the_lead_first(self, client, alice, task15):
        response = client.get(reverse("plan:task", args=[task15.pk]))

        roles = [a.role for a in response.context["page"].assignments]
        assert roles == ["lead", "cooperating", "cooperating", "cooperating", "lead"]

    def test_it_links_the_previous_and_next_task(self, client, alice, task15):
        response = client.get(reverse("plan:task", args=[task15.pk]))

        html = response.content.decode()
        assert f'href="{reverse("plan:task", args=[task_numbered(14).pk])}"' in html
        assert f'href="{reverse("plan:task", args=[task_numbered(16).pk])}"' in html

    def test_the_first_and_last_task_have_one_neighbour(self, client, alice, plan):
        first = client.get(reverse("plan:task", args=[task_numbered(1).pk])).context["page"]
        last = client.get(reverse("plan:task", args=[task_numbered(27).pk])).context["page"]

        assert first.previous is None and first.next.number == 2
        assert last.previous.number == 26 and last.next is None

    def test_it_lists_local_tasks_that_implement_it(self, client, alice, task15):
        harbin = factories.city(name="哈尔滨市")
        local = factories.task(
            section=task15.section,
            number=1,
            short_title="哈尔滨市出口退税提速",
            jurisdiction=harbin,
            implements=task15,
        )

        response = client.get(reverse("plan:task", args=[task15.pk]))
        html = response.content.decode()
        assert "哈尔滨市出口退税提速" in html
        assert f'href="{reverse("plan:task", args=[local.pk])}"' in html

        local_page = client.get(reverse("plan:task", args=[local.pk]))
        assert local_page.status_code == 200
        assert "15-1．" in local_page.content.decode()
        assert f'href="{reverse("plan:task", args=[task15.pk])}"' in local_page.content.decode()

    def test_it_runs_the_same_queries_however_many_units_and_indicators(
        self, client, alice, task15, django_assert_num_queries
    ):
        url = reverse("plan:task", args=[task15.pk])
        with django_assert_num_queries(TASK_QUERIES):
            client.get(url)

        for n in range(5):
            partner = factories.unit(text_name=f"新部门{n}")
            factories.assignment(task=task15, unit=partner, role="cooperating")
            factories.indicator(task=task15, deadline=dt.date(2025, 12, 31))
            factories.task(
                section=task15.section,
                number=n + 1,
                jurisdiction=factories.city(name=f"市{n}"),
                implements=task15,
            )

        with django_assert_num_queries(TASK_QUERIES):
            response = client.get(url)
        assert len(response.context["page"].assignments) == 10
        assert len(response.context["page"].local_tasks) == 5

    def test_an_unknown_task_is_not_found(self, client, alice, plan):
        missing = Task.objects.order_by("-pk").first().pk + 1

        assert client.get(reverse("plan:task", args=[missing])).status_code == 404


def test_signing_in_without_a_role_lands_on_the_plan(client, plan):
    factories.user("bob", role=Role.OFFICE)
    Membership.objects.filter(user__username="bob").delete()

    response = client.post(
        reverse("login"), {"username": "bob", "password": factories.PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("plan:overview")
    assert plan.title in response.content.decode()
