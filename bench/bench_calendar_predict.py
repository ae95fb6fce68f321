"""Backtest of the 推算 calendar (issue 17, docs/calendar.md "推算"), no database.

Each year 2015–2026 is predicted by ``govhall.calendar.predict`` from the State
Council schedules of the years before it only (``chinesecalendar``), and compared with
its real schedule: days misclassified (an uncertain day counted as a working day, the
safety rule), and for 5 and 20 working days from every start day of the year how many
deadlines differ from the real one and how many are LATER (neighbouring years real).

Targets (issue 17): no later deadline in any year; ≤ 4 misclassified days per year on
average; for 20 working days ≥ 95 % of start days exactly right. Exit status 1 if a
target is missed.

    .venv/bin/python bench/bench_calendar_predict.py
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from report import verdict  # noqa: E402

from govhall.calendar import backtest  # noqa: E402


def main() -> int:
    started = time.perf_counter()
    results = backtest.run()
    crossing = backtest.run_crossing()
    took = time.perf_counter() - started
    print(
        "year  misclassified  (guess)  uncertain"
        "   5 days: differ  later   20 days: differ  later  exact"
    )
    for r in results:
        print(
            f"{r.year}  {r.misclassified:13d}  {r.guessed_wrong:7d}  {r.uncertain:9d}"
            f"   {r.differ[5]:6d} of {r.starts[5]}  {r.later[5]:5d}"
            f"   {r.differ[20]:7d} of {r.starts[20]}  {r.later[20]:5d}  {r.exact_share(20):5.1%}"
        )
    print(
        "\ndeadlines from Nov–Dec of the year before, run into the predicted year"
        "\nyear   20 days: differ  later  (old estimate: later)"
        "   30 days: differ  later  (old estimate: later)"
    )
    for c in crossing:
        print(
            f"{c.year}   {c.differ[20]:8d} of {c.starts[20]}  {c.later[20]:5d}"
            f"  {c.later_before[20]:22d}"
            f"   {c.differ[30]:8d} of {c.starts[30]}  {c.later[30]:5d}  {c.later_before[30]:22d}"
        )
    mean = sum(r.misclassified for r in results) / len(results)
    guess_mean = sum(r.guessed_wrong for r in results) / len(results)
    met = backtest.targets_met(results)
    later = [r.year for r in results if any(r.later.values())]
    short = [r.year for r in results if r.exact_share(20) < backtest.TARGET_EXACT_20]
    print(f"\nbacktest in {took:.1f}s")
    print(
        f"no deadline later than the real one: {verdict(met['no_later_deadline'])}"
        + (f" (later in {', '.join(map(str, later))})" if later else "")
    )
    print(
        f"misclassified days per year {mean:.2f} (target ≤ {backtest.TARGET_MISCLASSIFIED_MEAN}):"
        f" {verdict(met['misclassified_mean'])}"
        f" — the predicted kind alone: {guess_mean:.2f}"
    )
    cross_later = sum(c.later[s] for c in crossing for s in c.later)
    cross_before = sum(c.later_before[s] for c in crossing for s in c.later_before)
    print(
        f"deadlines crossing into a predicted year later than the real one: {cross_later}"
        f" (old estimate: {cross_before})"
    )
    print(
        f"20 working days exactly right ≥ {backtest.TARGET_EXACT_20:.0%} every year:"
        f" {verdict(met['exact_20'])}" + (f" (below in {len(short)} years)" if short else "")
    )
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
