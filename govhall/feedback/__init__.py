"""反馈 (issue 12): what citizens say about the service, in two Django apps.

* ``govhall.feedback.ratings`` (label ``ratings``) — 好差评 (GB/T 39734/39735): a
  rating of a case per channel, the 差评 loop (回访 → 核实 → 整改/解释 → 反馈) and
  申诉复核;
* ``govhall.feedback.complaints`` (label ``complaints``) — 有诉即办 complaints and
  the 12345 work order loop, the 知识库, the 12345 file exchange and the Open311
  GeoReport v2 face.

Both sit above ``cases`` (they read cases and organisation, listen to cases'
signals; ``cases`` never imports them) and below ``supervision`` (which reads their
statistics for the evaluation). Two apps rather than one so that each has its own
models and migrations and can grow on its own (the layout of Open Zaak's
``components``).
"""
