import pytest

from contacts import services
from contacts.models import BulkEdit
from tests.contacts.helpers import csv_bytes


@pytest.fixture
def member(supervisor_login, exotel_account):
    """The supervisor, a member of the Acme account."""
    exotel_account.members.add(supervisor_login.user)
    exotel_account.account_wide.add(supervisor_login.user)  # sees every team
    return supervisor_login


@pytest.fixture
def supervisor_client(client, member):
    client.login(username=member.username, password=member.password)
    return client


def checked_upload(account, user, header, rows) -> BulkEdit:
    """A CSV uploaded and checked here, in the test process (as the worker would)."""
    bulk_edit = services.bulk_edit_create_from_upload(
        account=account, user=user, filename="edits.csv", chunks=[csv_bytes(header, rows)]
    )
    services.bulk_edit_check(bulk_edit_id=bulk_edit.id)
    bulk_edit.refresh_from_db()
    return bulk_edit
