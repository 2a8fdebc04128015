"""Demo data: the mirror starts with the sandbox's demo contacts, as a completed sync would leave it."""

from django.utils import timezone

from contacts.models import EDITABLE_FIELDS, TEXT_FIELDS, Contact
from exoadmin.accounts.models import ExotelAccount
from exoadmin.sandbox import demo as sandbox_demo
from exoadmin.sandbox.seeding import generated_contacts


def demo_contacts_create() -> int:
    """Idempotent; answers how many contacts the demo account's mirror holds."""
    account = ExotelAccount.objects.get(account_sid=sandbox_demo.DEMO_ACCOUNT["sid"])
    now = timezone.now()
    Contact.objects.bulk_create(
        [
            Contact(
                account=account,
                synced_at=now,
                sid=row["sid"],
                custom_field=row["custom_field"],
                **{name: row[name] or "" for name in TEXT_FIELDS},
            )
            for row in generated_contacts(account.account_sid, sandbox_demo.DEFAULT_CONTACTS)
        ],
        update_conflicts=True,
        unique_fields=["account", "sid"],
        update_fields=[*EDITABLE_FIELDS, "synced_at"],
    )
    return Contact.objects.filter(account=account).count()
