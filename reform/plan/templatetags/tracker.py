"""Small template helpers shared by the tracker's pages and emails."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from reform import wording
from reform.plan import formatting

register = template.Library()

register.filter("plain_number", formatting.plain_number)


@register.filter
def form_control(bound_field, css_class: str = "form-control"):
    """The field's widget with Bootstrap's class, marked invalid and described by its errors."""
    attrs = {"class": css_class}
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}-errors"
    elif bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}-help"
    return bound_field.as_widget(attrs=attrs)


register.filter("person_name", wording.person_name)


@register.filter(needs_autoescape=True)
def join_list(items, path: str = "", autoescape=True):
    """Names joined as the reader's language lists them ("、" in Chinese, ", " in English).

    ``{{ report.missing|join_list }}``; with a path, an attribute of each item:
    ``{{ notice.reports.all|join_list:"task.label" }}``.
    """
    values = []
    for item in items or ():
        for attribute in path.split(".") if path else ():
            item = getattr(item, attribute)
        values.append(conditional_escape(item) if autoescape else item)
    return mark_safe(wording.join_list(values)) if autoescape else wording.join_list(values)


@register.simple_tag
def site_url() -> str:
    """The address users reach the tracker at (links in emails; see SITE_URL)."""
    return settings.SITE_URL
