"""People CSV files and the Exotel users (in the sandbox) they name, for the onboarding tests."""

import csv
import io

from teams.people.csvfile import COLUMNS


def people_csv(rows: list[dict], header: tuple[str, ...] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue().encode()


def ccm_agent_row(index: int, **overrides) -> dict:
    row = {
        "login": f"agent{index:03d}",
        "name": f"Agent {index:03d}",
        "email": f"agent{index:03d}@example.com",
        "role": "agent",
        "exotel_account": "Acme",
        "device_model": "ccm",
        "ccm_user_id": f"ccm-{index:03d}",
        "teams": "Alpha",
    }
    return row | overrides


def sandbox_ccm_users(sandbox, count: int, start: int = 0) -> None:
    """CCM users ccm-NNN with emails agentNNN@example.com in the sandbox's Acme account."""
    for index in range(start, start + count):
        sandbox.control(
            "POST",
            "/_sandbox/users",
            {
                "account_sid": "acme",
                "id": f"ccm-{index:03d}",
                "first_name": "Agent",
                "last_name": f"{index:03d}",
                "email": f"agent{index:03d}@example.com",
                "devices": [{"contact_uri": f"+9199000{index:05d}"}],
            },
        )


def sandbox_integrations_user(sandbox, user_id: str) -> None:
    sandbox.control(
        "POST",
        "/_sandbox/integration-users",
        {"account_sid": "acme", "user_id": user_id, "phone": {"enabled": True, "number": "+919900000777"}},
    )


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
