"""Small template helpers shared by the tracker's pages and emails."""

from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def plain_number(value):
    """A decimal without trailing zeros or exponent: 6.00 → "6", 2.50 → "2.5"."""
    if not isinstance(value, Decimal):
        return value
    text = format(value.normalize(), "f")
    return text


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


@register.simple_tag
def site_url() -> str:
    """The address users reach the tracker at (links in emails; see SITE_URL)."""
    return settings.SITE_URL
