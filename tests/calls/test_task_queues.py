"""Which Celery queue each calls task goes to: bulk work never queues in front of status callbacks."""

from calls import tasks
from exoadmin.celery import app


def queue_of(task) -> str:
    return app.amqp.router.route({}, task.name)["queue"].name


def test_legs_fetched_after_calls_end_wait_on_the_bulk_queue_not_in_front_of_status_callbacks():
    assert queue_of(tasks.drain_callback_inbox) == "interactive"
    assert queue_of(tasks.bulk_fetch_call_legs) == "bulk"
    assert queue_of(tasks.reconcile_call) == "interactive"  # a supervisor waits on an unknown launch
