"""1,000,000 due-date computations on the working calendar (issue: working calendar).

Baseline, measured in the same run: the day-by-day reference algorithm of DOMAIN.md §9.3
(a set of days off and a set of make-up days, stepping one day at a time) on the same
working-days inputs. Prints times, the ratio and peak memory (RSS)."""

import os
import random
import resource
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from procedures.calendar import LOCAL_TIME, WorkingCalendar, national_calendar
from procedures.deadlines import TimeLimitUnit, due_at

COUNT = int(os.environ.get("BENCH_COUNT", "1000000"))
UNITS = TimeLimitUnit.values


def reference_due(received: datetime, limit: int, days_off: set, workdays: set) -> datetime:
    day, counted = received.date(), 0
    while counted < limit:
        day += timedelta(days=1)
        if day in workdays or (day.weekday() < 5 and day not in days_off):
            counted += 1
    return datetime.combine(day, clock(17, 0), LOCAL_TIME)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    rng = random.Random(766)
    start = datetime(2024, 1, 1, tzinfo=LOCAL_TIME)
    # Received inside office hours on a weekday so the baseline's answers are comparable.
    inputs = []
    while len(inputs) < COUNT:
        moment = start + timedelta(minutes=rng.randrange(4 * 365 * 24 * 60))
        if moment.weekday() < 5 and clock(7, 30) <= moment.time() < clock(11, 30):
            inputs.append((moment, rng.randint(1, 30)))
    days_off: set[date] = set()
    workdays: set[date] = set()
    for year in range(2023, 2031):
        off, work = national_calendar(year)
        days_off |= set(off)
        workdays |= set(work)

    calendar = WorkingCalendar()
    tic = time.perf_counter()
    engine = [due_at(calendar, moment, limit, "working_days") for moment, limit in inputs]
    engine_seconds = time.perf_counter() - tic

    tic = time.perf_counter()
    baseline = [reference_due(moment, limit, days_off, workdays) for moment, limit in inputs]
    baseline_seconds = time.perf_counter() - tic
    mismatches = sum(
        1
        for (moment, _), ours, theirs in zip(inputs, engine, baseline, strict=True)
        if ours != theirs and calendar.is_working_day(moment.date())
    )

    mixed = [(moment, limit, UNITS[i % 4]) for i, (moment, limit) in enumerate(inputs)]
    tic = time.perf_counter()
    for moment, limit, unit in mixed:
        due_at(calendar, moment, limit, unit)
    mixed_seconds = time.perf_counter() - tic

    print(f"due dates computed:            {COUNT:,}")
    print(f"baseline (day-by-day, §9.3):   {baseline_seconds:7.2f} s")
    print(
        f"engine, working_days:          {engine_seconds:7.2f} s  "
        f"ratio {engine_seconds / baseline_seconds:.2f} of baseline"
    )
    print(
        f"engine, all four units mixed:  {mixed_seconds:7.2f} s  "
        f"ratio {mixed_seconds / baseline_seconds:.2f} of baseline"
    )
    print(f"answers differing from baseline on working days: {mismatches}")
    print(f"peak memory (RSS):             {peak_rss_mib():7.1f} MiB")


if __name__ == "__main__":
    main()
