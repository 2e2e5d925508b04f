"""Every coded service error of the portal, and one instance of each, for the tests that
check them all (translations, codes, the API's exception handler)."""

import re
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from portal.service_errors import REGISTRY, ServiceError, ServiceValidationError

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class _Dossier:
    """What the errors about a dossier's state read of it."""

    status = "in_process"


def _problems() -> list[ServiceValidationError]:
    from dossiers.errors import ReasonRequiredError, SupplementItemsRequiredError

    return [SupplementItemsRequiredError(), ReasonRequiredError()]


# The errors whose constructor takes more than the message's parameters.
SAMPLES: dict[str, Callable[[type[Any]], ServiceError]] = {
    "dossier.invalid_transition": lambda cls: cls(_Dossier(), "complete"),
    "dossier.already_evaluated": lambda cls: cls(_Dossier()),
    "dossier.changed": lambda cls: cls(3, 4),
    "dossier.action_denied": lambda cls: cls("complete"),
    "invalid_data": lambda cls: cls(_problems()),
}


def error_classes() -> list[type[ServiceError]]:
    """The registered classes, once every module that may define one is imported: each
    app's `errors` and what the URLs reach (views, services)."""
    autodiscover_modules("errors", "services", "tasks")
    import_module(settings.ROOT_URLCONF)
    return list(REGISTRY)


def sample(cls: type[ServiceError]) -> ServiceError:
    """An instance of `cls` with every parameter of its message given."""
    make = SAMPLES.get(cls.code)
    if make is not None:
        return make(cls)
    with translation.override("en"):
        names = PLACEHOLDER.findall(str(cls.message))
    return cls(**{name: f"<{name}>" for name in names})
