"""Views of the office pages, one module per page family."""

from .assignments import (
    assignment_close,
    assignment_create,
    assignment_edit,
    assignment_list,
    assignment_remove,
    assignment_reopen,
    pattern_copy,
)
from .imports import import_confirm, import_template, import_upload
from .jurisdictions import home, index, jurisdiction_create, office_person_add
from .people import (
    membership_add,
    membership_end,
    people_list,
    person_create,
    person_deactivate,
    person_detail,
    person_password_email,
    person_reactivate,
)
from .periods import period_close, period_edit, period_extend, period_list, period_reopen
from .tasks import local_task_create, local_task_edit, local_task_list
from .units import (
    contact_add,
    contact_remove,
    unit_create,
    unit_deactivate,
    unit_detail,
    unit_list,
    unit_reactivate,
    unit_rename,
)

__all__ = [
    "assignment_close",
    "assignment_create",
    "assignment_edit",
    "assignment_list",
    "assignment_remove",
    "assignment_reopen",
    "contact_add",
    "contact_remove",
    "home",
    "import_confirm",
    "import_template",
    "import_upload",
    "index",
    "jurisdiction_create",
    "local_task_create",
    "local_task_edit",
    "local_task_list",
    "membership_add",
    "membership_end",
    "office_person_add",
    "pattern_copy",
    "people_list",
    "period_close",
    "period_edit",
    "period_extend",
    "period_list",
    "period_reopen",
    "person_create",
    "person_deactivate",
    "person_detail",
    "person_password_email",
    "person_reactivate",
    "unit_create",
    "unit_deactivate",
    "unit_detail",
    "unit_list",
    "unit_reactivate",
    "unit_rename",
]
