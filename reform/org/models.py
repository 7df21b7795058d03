import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    PLAN = "plan", _("the plan")
    OFFICE = "office", _("an office")


class Jurisdiction(models.Model):
    """The province, a city-level unit, or a county; each has its own leading-group office.

    ``path`` is the chain of ids from the province down ("/1/4/"), so "this jurisdiction and
    everything below it" is one indexed prefix filter.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        CITY = 2, _("city")
        COUNTY = 3, _("county")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent jurisdiction"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["level", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="jurisdiction_only_province_has_no_parent",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)

    def is_within(self, other: "Jurisdiction") -> bool:
        """True when self is ``other`` or lies below it."""
        return self.path.startswith(other.path)


class Unit(models.Model):
    """A responsible department (责任单位) of one jurisdiction. Deactivated, never deleted.

    ``name`` and ``text_name`` are today's names; ``UnitName`` keeps every name with the
    dates it was in use, so past reports can show the name of their time.
    """

    class GroupRole(models.TextChoices):
        LEADER = "leader", _("leader (组长)")
        DEPUTY = "deputy", _("deputy leader (副组长)")
        MEMBER = "member", _("member (成员)")
        NONE = "", _("not in the leading group")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="units", verbose_name=_("jurisdiction")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("official name"), max_length=100)
    text_name = models.CharField(_("name in the plan text"), max_length=60, blank=True)
    group_role = models.CharField(
        _("leading-group role"), max_length=8, choices=GroupRole.choices, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["jurisdiction__level", "jurisdiction__order", "order", "id"]

    def __str__(self):
        return self.name

    def name_on(self, day: dt.date, kind: str = "official") -> str:
        """The name in use on ``day``, from prefetched ``names`` when available."""
        for entry in self.names.all():
            if (
                entry.kind == kind
                and entry.valid_from <= day
                and (entry.valid_to is None or day <= entry.valid_to)
            ):
                return entry.name
        return self.name if kind == UnitName.Kind.OFFICIAL else self.text_name


class UnitName(models.Model):
    class Kind(models.TextChoices):
        OFFICIAL = "official", _("official name")
        TEXT = "text", _("name in the plan text")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("in use from"))
    valid_to = models.DateField(_("in use until"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit name")
        verbose_name_plural = _("unit names")
        ordering = ["unit", "kind", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "valid_from"], name="unit_name_once")
        ]

    def __str__(self):
        return self.name


class ContactPerson(models.Model):
    """Someone at a unit who receives its reminders, with or without an account."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=40)
    email = models.EmailField(_("email"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    STAFF = "staff", _("unit staff")
    HEAD = "head", _("unit head")
    OFFICE = "office", _("leading-group office")
    LEADERSHIP = "leadership", _("leadership")


UNIT_ROLES = (Role.STAFF, Role.HEAD)
JURISDICTION_ROLES = (Role.OFFICE, Role.LEADERSHIP)


class MembershipQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )


class Membership(models.Model):
    """A person's role at a unit (staff, head) or a jurisdiction (office, leadership)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("jurisdiction"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=UNIT_ROLES, unit__isnull=False, jurisdiction__isnull=True)
                    | Q(role__in=JURISDICTION_ROLES, unit__isnull=True, jurisdiction__isnull=False)
                ),
                name="membership_unit_roles_need_unit_office_roles_need_jurisdiction",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="membership_valid_from_before_valid_to",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit or self.jurisdiction}"
