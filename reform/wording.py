"""How the tracker words things for people, whatever app they come from.

``join_list`` joins names as the reader's language lists them: "状态、完成进度、进展情况" in
Chinese, "status, percent complete, progress made" in English (the separator is the
translation of ", " in the context "list separator").
"""

from django.utils.translation import gettext, pgettext


def join_list(items) -> str:
    """The items (names, labels) as one list, in the active language."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


def person_name(user) -> str:
    """How a person is named on pages: full name, else user name; 系统 for no one (a change
    the system made, such as ``load_plan`` or the daily job)."""
    if user is None:
        return gettext("system")
    return user.get_full_name() or user.username
