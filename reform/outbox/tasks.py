from celery import shared_task

from . import services


@shared_task(name="outbox.send_due")
def send_due() -> dict[str, int]:
    """Every minute (beat): send what is due, retry what failed, recover dead claims."""
    return services.send_due()


@shared_task(name="outbox.send_message")
def send_message(message_id: int) -> str:
    """Right after a commit: send one new row without waiting for the sweep."""
    return services.send_one(message_id)
