"""Writes for people and accounts: creating users in a role, joining them to an account."""

from django.contrib.auth.models import Group, User
from django.db import transaction

from exoadmin.accounts.models import ExoPhone, ExotelAccount
from exoadmin.accounts.roles import GROUP_NAMES, Role


@transaction.atomic
def user_create_or_update(
    *, username: str, password: str | None, role: Role, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    """Idempotent: the user ends with exactly this role and password. `password=None` keeps an existing
    user's password and gives a new one an unusable password (set it in Django admin)."""
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "is_staff": role == Role.ADMIN,
            "is_superuser": role == Role.ADMIN,
            "is_active": True,
        },
    )
    if password is not None or created:
        user.set_password(password)  # None: unusable
        user.save(update_fields=["password"])
    groups = [Group.objects.get_or_create(name=GROUP_NAMES[role])[0]] if role in GROUP_NAMES else []
    user.groups.set(groups)
    return user


@transaction.atomic
def account_create_or_update(
    *, name: str, account_sid: str, api_key: str, api_token: str, exophones: list[str], **fields
) -> ExotelAccount:
    account, _ = ExotelAccount.objects.update_or_create(
        account_sid=account_sid, defaults={"name": name, "api_key": api_key, "api_token": api_token, **fields}
    )
    for number in exophones:
        ExoPhone.objects.get_or_create(account=account, number=number)
    return account
