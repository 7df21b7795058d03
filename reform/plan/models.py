import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reform.org.models import Jurisdiction, Origin, Unit


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    issuers = models.CharField(_("issued by"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    general_requirements = models.TextField(_("general requirements (总体要求)"))
    organisation = models.TextField(_("organisation and implementation (组织实施)"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return self.title


class Section(models.Model):
    """One of the six groups 一…六 of 主要任务."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="sections")
    number = models.PositiveSmallIntegerField(_("number"))
    numeral = models.CharField(_("numeral"), max_length=4)
    title = models.CharField(_("title"), max_length=100)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="section_number_once")
        ]

    def __str__(self):
        return f"（{self.numeral}）{self.title}"


class Task(models.Model):
    """A numbered task of the plan, or a local task a jurisdiction adds.

    A local task belongs to its jurisdiction and points at the provincial task it implements.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="tasks")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("section")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    short_title = models.CharField(_("short title"), max_length=100)
    full_text = models.TextField(_("full text"))
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_tasks",
        verbose_name=_("local task of"),
        help_text=_("Empty for the plan's own tasks."),
    )
    implements = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_tasks",
        verbose_name=_("implements provincial task"),
    )
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "jurisdiction_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                condition=Q(jurisdiction__isnull=True),
                name="plan_task_number_once",
            ),
            models.UniqueConstraint(
                fields=["plan", "jurisdiction", "number"],
                condition=Q(jurisdiction__isnull=False),
                name="local_task_number_once_per_jurisdiction",
            ),
            models.CheckConstraint(
                condition=Q(jurisdiction__isnull=True, implements__isnull=True)
                | Q(jurisdiction__isnull=False, implements__isnull=False),
                name="local_task_implements_a_provincial_task",
            ),
        ]

    def __str__(self):
        return f"{self.label}．{self.short_title}"

    @property
    def is_local(self) -> bool:
        return self.jurisdiction_id is not None

    @property
    def label(self) -> str:
        if self.is_local:
            return f"{self.implements.number}-{self.number}"
        return str(self.number)


class Milestone(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="milestones")
    year = models.PositiveSmallIntegerField(_("year"))
    goal = models.TextField(_("goal"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan", "year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="milestone_once")]

    def __str__(self):
        return f"{self.year}: {self.goal}"


class Indicator(models.Model):
    """A quantified target the text states; reports carry measured values."""

    class Comparison(models.TextChoices):
        AT_MOST = "le", _("at most")
        AT_LEAST = "ge", _("at least")
        EQUAL = "eq", _("exactly")

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("task")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source_text = models.TextField(_("words of the plan"))
    comparison = models.CharField(_("comparison"), max_length=2, choices=Comparison.choices)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["task", "code"]

    def __str__(self):
        return self.name


class Period(models.Model):
    """A half-year reporting period: one list for the whole province (三（一）).

    Units report "before June 25 and December 25 of each year"; cooperating units report to
    the lead unit by an earlier date. Only the provincial office closes a period.
    """

    class Half(models.IntegerChoices):
        FIRST = 1, pgettext_lazy("half-year", "first half")
        SECOND = 2, pgettext_lazy("half-year", "second half")

    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half"), choices=Half.choices)
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    cooperating_due_on = models.DateField(
        _("cooperating units due on"),
        help_text=_("Cooperating units report to the lead unit by this date."),
    )
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["year", "half"]
        constraints = [
            models.UniqueConstraint(fields=["year", "half"], name="period_once"),
            models.CheckConstraint(
                condition=Q(cooperating_due_on__lte=models.F("due_on"))
                & Q(opens_on__lt=models.F("due_on")),
                name="period_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return _("%(year)s %(half)s") % {"year": self.year, "half": self.get_half_display()}

    @property
    def code(self) -> str:
        return f"{self.year}H{self.half}"

    @staticmethod
    def dates_for(year: int, half: int) -> tuple[dt.date, dt.date]:
        """Opening and due dates of a half-year: Jan 1 / Jun 25, Jul 1 / Dec 25."""
        if half == 1:
            return dt.date(year, 1, 1), dt.date(year, 6, 25)
        return dt.date(year, 7, 1), dt.date(year, 12, 25)

    def due_on_for(self, role: str) -> dt.date:
        return self.cooperating_due_on if role == Assignment.Role.COOPERATING else self.due_on


class Assignment(models.Model):
    """A task given to a unit, as lead (牵头) or cooperating (配合), with the words that justify it.

    ``plan_key`` identifies the rows ``load_plan`` owns; once an office changes a row
    (``changed_by_office``) the loader leaves it alone. Closing (完成销号) takes effect from
    the next period: ``last_period`` is set to the period current at closing.
    """

    class Role(models.TextChoices):
        LEAD = "lead", _("lead")
        COOPERATING = "cooperating", _("cooperating")

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("task")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    # Copied from the unit so the database can hold "one active lead per task and jurisdiction".
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", editable=False
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    justification = models.TextField(_("justifying words"))
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    plan_key = models.CharField(max_length=60, null=True, blank=True, unique=True, editable=False)
    changed_by_office = models.BooleanField(_("changed by an office"), default=False)
    first_period = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("first period"),
    )
    last_period = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last period"),
    )
    is_closed = models.BooleanField(_("closed (完成销号)"), default=False)
    close_note = models.TextField(_("closing note"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Unticked when an office removes the assignment.")
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["task__number", "role", "unit__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "jurisdiction"],
                condition=Q(role="lead", is_active=True),
                name="one_active_lead_per_task_and_jurisdiction",
            ),
            models.UniqueConstraint(
                fields=["task", "unit"],
                condition=Q(is_active=True),
                name="one_active_assignment_per_task_and_unit",
            ),
        ]

    def __str__(self):
        return f"{self.task.label} · {self.unit} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        self.jurisdiction_id = self.unit.jurisdiction_id
        super().save(*args, **kwargs)

    def applies_to(self, period: Period) -> bool:
        """Whether a report is expected from this assignment for ``period``."""
        if not self.is_active:
            return False
        if self.first_period_id and (self.first_period.year, self.first_period.half) > (
            period.year,
            period.half,
        ):
            return False
        if self.last_period_id and (self.last_period.year, self.last_period.half) < (
            period.year,
            period.half,
        ):
            return False
        return True
