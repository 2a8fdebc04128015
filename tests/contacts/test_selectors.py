"""Reads for the contacts pages that the views only pass on: the CSV export of the local copy."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact
from contacts.selectors import contacts_export_csv


def test_the_export_streams_the_whole_copy_in_the_upload_format_in_a_few_queries(exotel_account):
    Contact.objects.bulk_create(
        [
            Contact(
                account=exotel_account,
                sid=f"c{i:05d}",
                number=f"+9198{i:08d}",
                first_name=f"First{i}",
                email=f"c{i}@example.com",
                custom_field={"n": i} if i % 2 else None,
                synced_at=timezone.now(),
            )
            for i in range(3000)
        ]
    )

    with CaptureQueriesContext(connection) as queries:
        chunks = list(contacts_export_csv(account=exotel_account))

    header, *rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert header == ["sid", "number", "first_name", "last_name", "company_name", "email", "tag", "custom_field"]
    assert len(rows) == 3000 and [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert rows[1] == ["c00001", "+919800000001", "First1", "", "", "c1@example.com", "", '{"n": 1}']
    assert rows[2][-1] == ""
    assert len(chunks) > 2  # written out as it is read, not held whole
    assert len(queries) <= 3  # read in chunks of 2000 rows
