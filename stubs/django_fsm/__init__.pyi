# The part of django-fsm-2 (4.2) the portal uses, for mypy. The package is typed, but it
# imports `typing.override` (Python 3.12) before falling back to typing_extensions; checked
# as Python 3.11, mypy makes every class that uses it Any: the Dossier model's class with
# them (Dossier.objects was Any everywhere). Signatures as in django_fsm/__init__.py.
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from django.db import models

_StateValue: TypeAlias = str | int | models.Choices
_Condition: TypeAlias = Callable[[models.Model], bool]
_Permission: TypeAlias = str | Callable[[models.Model, Any], bool]

ANY_STATE: str
ANY_OTHER_STATE: str

class TransitionNotAllowed(Exception):  # noqa: N818
    object: Any
    method: Any
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class InvalidResultState(Exception): ...  # noqa: N818
class ConcurrentTransition(Exception): ...  # noqa: N818

class State:
    allowed_states: Sequence[_StateValue]

class RETURN_VALUE(State):  # noqa: N801
    def __init__(self, *allowed_states: _StateValue) -> None: ...

class GET_STATE(State):  # noqa: N801
    def __init__(
        self, func: Callable[..., _StateValue], states: Sequence[_StateValue] | None = None
    ) -> None: ...

# The mixin is a Field there too; here the concrete field comes first, so that the django
# plugin reads a state as str (or int), not Any.
class FSMFieldMixin:
    protected: bool

class FSMField(FSMFieldMixin, models.CharField[str, str]):
    def __init__(
        self, *args: Any, protected: bool = False, state_choices: Any = None, **kwargs: Any
    ) -> None: ...

class FSMIntegerField(FSMFieldMixin, models.IntegerField[int, int]):
    def __init__(
        self, *args: Any, protected: bool = False, state_choices: Any = None, **kwargs: Any
    ) -> None: ...

class FSMModelMixin(models.Model):
    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None: ...

class ConcurrentTransitionMixin(FSMModelMixin):
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...
    @property
    def state_fields(self) -> Any: ...

def transition(
    field: FSMFieldMixin | str,
    source: _StateValue | Sequence[_StateValue] = ...,
    target: _StateValue | State | None = None,
    on_error: _StateValue | None = None,
    conditions: list[_Condition] | None = None,
    permission: _Permission | None = None,
    custom: dict[str, Any] | None = None,
) -> Callable[[Any], Any]: ...
def can_proceed(bound_method: Any, check_conditions: bool = True) -> bool: ...
def has_transition_perm(bound_method: Any, user: Any) -> bool: ...
