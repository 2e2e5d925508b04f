from celery import shared_task

from portal.models import User


@shared_task(acks_late=True)
def probe_database(user_id: int) -> dict[str, str]:
    """Prove a worker reaches the same database as the web process: read one row."""
    from django.db import connection

    user = User.objects.get(pk=user_id)
    return {"vendor": connection.vendor, "username": user.username}
