"""Consecutive numbers that are never shared: the dossier codes of an agency's day
(dossiers.codes) and the take-a-number tickets of a line's day (reception.queue).

A counter row holds the last number given for its key. `allocate_next` locks the row,
creating it at the first number, until the caller's transaction commits: two requests at
the same instant wait for each other, and a rolled-back caller gives its number back."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models


class NumberSequence(models.Model):
    """A counter row: the last number given for the key its subclass adds (a unique
    constraint on the key's fields)."""

    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


S = TypeVar("S", bound=NumberSequence)


def never_taken(number: int) -> bool:
    return False


def allocate_next(model: type[S], *, taken: Callable[[int], bool] = never_taken, **key: Any) -> int:
    """The number after the row's last one, skipping those `taken` says are already in
    use (numbers given outside the counter, e.g. imported). Must run inside the
    caller's transaction, which keeps the row locked until it commits (outside one,
    Django refuses the lock)."""
    sequence, _created = model._default_manager.select_for_update().get_or_create(**key)
    number = sequence.last + 1
    while taken(number):
        number += 1
    sequence.last = number
    sequence.save(update_fields=["last"])
    return number
