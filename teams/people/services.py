"""Onboarding people in bulk from a CSV: check every row → preview → apply the good rows in one
transaction → a result per row → the failures as a CSV to fix and upload again.

Why not django-import-export: its flow is "dry run, then import the whole file again", one model per
resource and all-or-nothing on row errors. Here one row writes a login, its role, an account
membership, an Agent and team memberships across four models; ids are checked against Exotel in
batches within the shared rate budget before the preview; and the person may apply only the good
rows of a file with rejected ones. Fitting that into its Resource hooks would have been more code
than this module, and the preview would still not say old → new in our terms.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.models import Agent
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import Role
from exoadmin.accounts.services import user_create_or_update
from teams.models import PeopleImport
from teams.people import plans
from teams.people.csvfile import COLUMNS, PersonRow, read_rows
from teams.people.exotel_ids import unknown_ccm_users, unknown_integrations_users
from teams.services import account_scopes_changed


class ChangedSinceCheck(Exception):
    """A row checked fine but no longer does (a team deleted, an id taken): nothing was applied."""


def people_import_check(*, data: bytes, filename: str, user: User) -> PeopleImport:
    """Reads and checks every row (FileRejected when the file is unusable) and keeps the outcome."""
    rows = read_rows(data)
    directory = plans.Directory.load()
    for row in rows:
        plans.check_against_database(row, directory)
    _check_with_exotel(rows, directory)
    stored = []
    for row in rows:
        entry = {"line": row.line, "cells": row.cells, "problems": row.problems, "action": "", "changes": []}
        account = directory.account(row)
        if not row.problems and account is not None:
            entry["action"], entry["changes"] = plans.changes(row, account)
        stored.append(entry)
    return PeopleImport.objects.create(created_by=user, filename=filename[:255], rows=stored)


def _check_with_exotel(rows: list[PersonRow], directory: plans.Directory) -> None:
    ccm: dict[int, dict[str, str]] = defaultdict(dict)
    integrations: dict[int, set[str]] = defaultdict(set)
    accounts: dict[int, ExotelAccount] = {}
    for row in rows:
        account = directory.account(row)
        if account is None or row.cells["role"] != "agent":
            continue
        accounts[account.pk] = account
        if row.cells["ccm_user_id"]:
            ccm[account.pk].setdefault(row.cells["ccm_user_id"], row.cells["email"])
        if row.cells["integrations_user_id"]:
            integrations[account.pk].add(row.cells["integrations_user_id"])
    refused = {
        pk: (unknown_ccm_users(account, ccm[pk].items()), unknown_integrations_users(account, integrations[pk]))
        for pk, account in accounts.items()
    }
    seen: dict[tuple[int, str, str], int] = {}
    for row in rows:
        account = directory.account(row)
        if account is None or account.pk not in refused:
            continue
        for column, unknown in zip(("ccm_user_id", "integrations_user_id"), refused[account.pk], strict=True):
            user_id = row.cells[column]
            if user_id and user_id in unknown:
                row.refuse(column, unknown[user_id])
            if user_id and (earlier := seen.setdefault((account.pk, column, user_id), row.line)) != row.line:
                row.refuse(column, f"{column} “{user_id}” is already on row {earlier}.")


def good_rows(people_import: PeopleImport) -> list[dict]:
    return [entry for entry in people_import.rows if not entry["problems"]]


def people_import_apply(people_import: PeopleImport) -> PeopleImport:
    """Applies every good row, or none of them: one transaction. Rows with problems are left out."""
    try:
        return _apply(people_import)
    except IntegrityError:  # someone else wrote the same login or id between our check and our write
        raise ChangedSinceCheck(
            "Another change to these people landed at the same moment, so nothing was applied."
        ) from None


def _apply(people_import: PeopleImport) -> PeopleImport:
    with transaction.atomic():
        locked = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
        if locked.state == PeopleImport.State.APPLIED:
            return locked
        directory = plans.Directory.load()
        touched = set()
        for entry in locked.rows:
            entry["outcome"] = "not applied" if entry["problems"] else _apply_row(entry, directory)
            if entry["outcome"] in ("created", "updated") and (account := directory.account(_row(entry))):
                touched.add(account.pk)
        for account_id in sorted(touched):  # teams' agents or leads may have changed: open screens re-scope
            account_scopes_changed(account_id)
        locked.state = PeopleImport.State.APPLIED
        locked.applied_at = timezone.now()
        locked.save(update_fields=["rows", "state", "applied_at"])
    return locked


def _row(entry: dict) -> PersonRow:
    return PersonRow(entry["line"], dict(entry["cells"]))


def _apply_row(entry: dict, directory: plans.Directory) -> str:
    row = _row(entry)
    plans.check_against_database(row, directory)
    account = directory.account(row)
    if row.problems or account is None:
        problem = row.problems[0][1] if row.problems else "its account is gone"
        raise ChangedSinceCheck(f"Row {row.line} changed since the check ({problem}) so nothing was applied.")
    action, differing = plans.changes(row, account)
    entry["changes"] = differing
    if action == "unchanged":
        return "unchanged"
    apply_person(row, account, directory)
    return "created" if action == "create" else "updated"


def apply_person(row: PersonRow, account: ExotelAccount, directory: plans.Directory) -> None:
    """Writes one person: login and role, account membership, their agent, their teams in this account."""
    cells = row.cells
    first_name, _, last_name = plans.normal_name(cells["name"]).partition(" ")
    role = Role(cells["role"])
    user = user_create_or_update(
        username=cells["login"],
        password=None,  # new people set theirs through an admin; existing ones keep theirs
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=cells["email"],
    )
    account.members.add(user)
    teams = [directory.teams[(account.pk, name)] for name in row.teams]
    if role == Role.AGENT:
        agent = plans.agent_for(row, account, user) or Agent(account=account)
        agent.user = user
        agent.name = plans.normal_name(cells["name"])
        agent.email = cells["email"]
        agent.device_model = cells["device_model"]
        agent.exotel_user_id = cells["ccm_user_id"]
        agent.integrations_user_id = cells["integrations_user_id"]
        agent.save()
        agent.teams.remove(*agent.teams.filter(account=account).exclude(pk__in=[t.pk for t in teams]))
        agent.teams.add(*teams)
    else:
        user.led_teams.remove(*user.led_teams.filter(account=account).exclude(pk__in=[t.pk for t in teams]))
        user.led_teams.add(*teams)


def failure_rows(people_import: PeopleImport) -> list[list[str]]:
    """The rows with problems as they were uploaded, plus an `error` cell naming each problem's column."""
    return [
        [entry["cells"][name] for name in COLUMNS]
        + ["; ".join(f"{column}: {message}" if column else message for column, message in entry["problems"])]
        for entry in people_import.rows
        if entry["problems"]
    ]


def people_export_rows() -> list[list[str]]:
    """Every agent (with or without a login yet) and every supervisor's membership of an account,
    in the import's columns; importing the file back changes nothing."""
    rows = []
    agents = Agent.objects.select_related("user", "account").prefetch_related("teams").order_by("account__name", "name")
    for agent in agents:
        user = agent.user
        rows.append(
            [
                user.username if user else "",
                (user.get_full_name() if user else "") or agent.name,
                (user.email if user else "") or agent.email,
                "agent",
                agent.account.name,
                agent.device_model,
                agent.exotel_user_id,
                agent.integrations_user_id,
                ";".join(sorted(team.name for team in agent.teams.all() if team.account_id == agent.account_id)),
            ]
        )
    supervisors = User.objects.filter(groups__name="Supervisors", is_staff=False).prefetch_related(
        "exotel_accounts", "led_teams"
    )
    for user in supervisors.order_by("username"):
        for account in user.exotel_accounts.all():
            teams = sorted(team.name for team in user.led_teams.all() if team.account_id == account.pk)
            rows.append(
                [
                    user.username,
                    user.get_full_name(),
                    user.email,
                    "supervisor",
                    account.name,
                    "",
                    "",
                    "",
                    ";".join(teams),
                ]
            )
    return rows
