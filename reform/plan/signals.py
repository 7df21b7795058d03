from django.dispatch import Signal

# Sent inside the transaction that changed assignments or periods, so that the apps above
# (reports: one draft per active assignment and period) can follow in the same transaction.
# The plan app cannot call them itself: imports run from the later apps to the earlier.
#
# Senders name what they changed, so the receivers work on that alone:
#   assignments=[...]  the assignments (objects or ids) whose reports, over every period,
#                      may now be expected or no longer expected (created, edited, closed,
#                      reopened, removed);
#   periods=[...]      the periods (objects or ids) whose reports, for every active
#                      assignment, may now be expected (the list extended).
# A sender that names neither (load_plan, which may change anything) has everything
# looked at again, as the daily job does.
assignments_or_periods_changed = Signal()
