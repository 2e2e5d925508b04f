"""The database counters behind the throttles while the cache is down: a fixed window
that starts with the first count and does not slide."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal import throttles
from portal.models import ThrottleCount

pytestmark = pytest.mark.django_db


def test_counts_add_up_within_the_window_and_start_again_after_it() -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert throttles.increment(["a", "b"], seconds=60) == {"a": 1, "b": 1}
        assert throttles.increment(["a"], seconds=60) == {"a": 2}
        assert throttles.counts(["a", "b", "c"]) == {"a": 2, "b": 1}
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert throttles.increment(["a"], seconds=60) == {"a": 3}  # the window does not slide
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert throttles.counts(["a"]) == {}
        assert throttles.increment(["a"], seconds=60) == {"a": 1}
    assert ThrottleCount._meta.db_table == "portal_throttlecount"
