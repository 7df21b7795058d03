from django import template

register = template.Library()


@register.filter
def absolute(value):
    """|-3| = 3, for "overdue by 3 working days"."""
    try:
        return abs(int(value))
    except (TypeError, ValueError):
        return value
