from django.db import models
from django.utils.translation import gettext_lazy as _


class DayOverride(models.Model):
    """A day whose status an administrator sets by hand.

    The State Council publishes each year's holidays late in the year before, and the
    ``chinese-calendar`` package may lag behind; a row here wins over the package.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"), help_text=_("Ticked for a make-up working day, unticked for a day off.")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"
