from typing import Any

from django.conf import settings
from django.core.checks import Error, register


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
