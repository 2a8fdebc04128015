from django.db.models import QuerySet

from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import Role, role_of


def accounts_for_user(user) -> QuerySet[ExotelAccount]:
    """Admins see every account; everyone else sees the accounts they are a member of."""
    accounts = ExotelAccount.objects.prefetch_related("exophones")
    return accounts if role_of(user) == Role.ADMIN else accounts.filter(members=user)
