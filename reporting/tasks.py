import logging

from celery import shared_task

from reporting import snapshots

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def refresh_snapshots_full() -> dict[str, float | str]:
    try:
        return snapshots.refresh_full()
    except snapshots.RefreshLockedError:
        # The snapshot is being brought up to date already; the next run follows.
        logger.info("full snapshot refresh skipped: another refresh holds the lock")
        return {"mode": "skipped"}


@shared_task(acks_late=True)
def refresh_snapshots_changed() -> dict[str, float | str]:
    try:
        return snapshots.refresh_changed()
    except snapshots.RefreshLockedError:
        logger.info("incremental snapshot refresh skipped: another refresh holds the lock")
        return {"mode": "skipped"}
