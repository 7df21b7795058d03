from django.dispatch import Signal

# Sent inside the transaction that changed assignments or periods, so that the apps above
# (reports: one draft per active assignment and period) can follow in the same transaction.
# The plan app cannot call them itself: imports run from the later apps to the earlier.
assignments_or_periods_changed = Signal()
