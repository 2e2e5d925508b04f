from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def secret_key_configured(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.SECRET_KEY_CONFIGURED or settings.DEBUG:
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.",
            hint="Set a long random value in the environment; keep it stable across restarts.",
            id="portal.E001",
        )
    ]


@register(deploy=True)
def payments_are_real(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """The simulated gateway marks fees paid without any money: a demo, never production."""
    if settings.DEBUG or settings.PAYMENT_PROVIDER != "simulated":
        return []
    return [
        Warning(
            "PAYMENT_PROVIDER is 'simulated': any citizen can mark their fees paid online.",
            hint="Set PAYMENT_PROVIDER to the bank's or the national payment platform's "
            "provider; keep the simulator for demonstrations.",
            id="portal.W002",
        )
    ]
