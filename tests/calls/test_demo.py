from calls.demo import demo_calls_create
from calls.models import Call
from exoadmin.accounts.demo import demo_account_create


def test_demo_calls_are_added_once(db):
    demo_account_create()

    demo_calls_create(count=5)
    demo_calls_create(count=5)

    assert Call.objects.count() == 5 and Call.objects.filter(legs__isnull=False).distinct().count() == 5
