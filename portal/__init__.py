# The Celery app is imported here so that shared tasks bind to it when Django starts.
from portal.celery import app as celery_app

__all__ = ("celery_app",)
