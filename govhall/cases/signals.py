"""Signals other apps subscribe to (sent after the transaction commits).

* ``case_transitioned(case, action, event)`` — every event of a case: 申请
  (``action="submit"``, also each 一件事 child), every transition of the table, and
  视为受理 (``"deemed_acceptance"``, the §32 daily job);
* ``case_decided(case, result)`` — a decision was made (after commit);
* ``case_event_recorded(case, event)`` — every event of a case, sent **inside** its
  transaction (申请 is not one): a receiver's writes commit or roll back with the
  change, and an exception it raises refuses the change (the licences app writes the
  审批结果推送 and the 证照 of a 决定 / 制证 here, R-LINK-1);
* ``daily_rules_done(day, result)`` — the daily rules (``tasks.daily_rules``) ran for
  ``day`` (sent inside their transaction): the apps above queue their own morning
  jobs (电子监察 queues its daily warning run).
"""

import django.dispatch

case_transitioned = django.dispatch.Signal()
case_decided = django.dispatch.Signal()
case_event_recorded = django.dispatch.Signal()
daily_rules_done = django.dispatch.Signal()
