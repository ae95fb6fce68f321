"""Signals other apps subscribe to (sent after the transaction commits).

* ``case_transitioned(case, action, event)`` — every event of a case: 申请
  (``action="submit"``, also each 一件事 child), every transition of the table, and
  视为受理 (``"deemed_acceptance"``, the §32 daily job);
* ``case_decided(case, result)`` — a decision was made: the licences/supervision
  apps push it to the supervising department (审管联动, R-LINK-1, not yet enforced);
* ``daily_rules_done(day, result)`` — the daily rules (``tasks.daily_rules``) ran for
  ``day`` (sent inside their transaction): the apps above queue their own morning
  jobs (电子监察 queues its daily warning run).
"""

import django.dispatch

case_transitioned = django.dispatch.Signal()
case_decided = django.dispatch.Signal()
daily_rules_done = django.dispatch.Signal()
