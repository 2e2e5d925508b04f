from celery import shared_task
from django.conf import settings
from django.db import connection

from portal.accounts import services as accounts
from portal.models import User


@shared_task(acks_late=True)
def probe_database(user_id: int) -> dict[str, str]:
    """Prove a worker reaches the same database as the web process: read one row."""
    user = User.objects.get(pk=user_id)
    return {"vendor": connection.vendor, "username": user.username}


@shared_task(
    name=accounts.SEND_ACCOUNT_EMAIL,
    bind=True,
    acks_late=True,
    autoretry_for=(accounts.AccountEmailError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    # After the last retry the person can still ask for the email again.
    max_retries=settings.ACCOUNT_EMAIL_MAX_RETRIES,
)
def send_account_email(self, user_id: str, kind: str, language: str = "vi") -> str:
    """An account email (verification link, password reset link) for one account."""
    return accounts.account_email_send(user_id=int(user_id), kind=kind, language=language)
