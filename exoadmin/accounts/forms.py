from math import ceil

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from exoadmin.accounts import login_throttle


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, refusing early once a username or address has failed too often."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        wait = login_throttle.lockout_seconds(username=username, address=address)
        if wait:
            raise ValidationError(
                f"Too many failed logins. Try again in {ceil(wait / 60)} minute(s), or ask an admin "
                "to reset your password.",
                code="locked",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            login_throttle.failure_record(username=username, address=address)
            raise
        login_throttle.failures_clear(username=username)
        return cleaned
