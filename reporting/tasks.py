from celery import shared_task

from reporting import snapshots


@shared_task(acks_late=True)
def refresh_snapshots_full() -> dict[str, float]:
    return snapshots.refresh_full()


@shared_task(acks_late=True)
def refresh_snapshots_changed() -> dict[str, float]:
    return snapshots.refresh_changed()
