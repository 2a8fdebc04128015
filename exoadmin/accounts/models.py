"""Exotel accounts the product acts on, and the ExoPhones (virtual numbers) each one owns."""

import zoneinfo
from datetime import datetime, timedelta, tzinfo

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from exoadmin.accounts.fields import EncryptedTextField
from exoadmin.exotel.config import REGION_BASE_URLS
from exoadmin.exotel.models import IssuedToken


class Region(models.TextChoices):
    SINGAPORE = "singapore", "Singapore"
    MUMBAI = "mumbai", "Mumbai"


def _default_time_zone() -> str:
    return settings.TIME_ZONE


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ExotelAccount(models.Model):
    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=20, choices=Region.choices, default=Region.MUMBAI)
    account_sid = models.CharField("account SID", max_length=100, unique=True)
    api_key = models.CharField("API key", max_length=200)
    api_token = EncryptedTextField("API token", blank=True)
    integrations_customer_id = models.CharField("integrations customer id", max_length=100, blank=True)
    integrations_app_id = models.CharField("integrations app id", max_length=100, blank=True)
    integrations_app_token = EncryptedTextField("integrations app token", blank=True)
    integrations_app_secret = EncryptedTextField(
        "integrations app secret",
        blank=True,
        help_text="With the app id, lets exoadmin obtain a new app token from Exotel before the old one expires.",
    )
    integrations_token_issued_at = models.DateTimeField(
        "app token issued at",
        null=True,
        blank=True,
        help_text="When Exotel issued the app token in use; it expires 90 days later.",
    )
    integrations_token_renewal_error = models.TextField(
        "last app token renewal failure", blank=True, help_text="Why Exotel refused the last renewal, if it did."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="exotel_accounts",
        help_text="Supervisors and agents who work in this account.",
    )
    account_wide = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="account_wide_accounts",
        verbose_name="account-wide supervisors",
        help_text="Supervisors who see every agent, call and job of this account; others see only the teams they lead.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=_default_time_zone,
        choices=_time_zone_choices,
        help_text="Where this account's day starts and ends: reports split days, and daily emails go out, here.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> tzinfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def base_url(self, family: str) -> str:
        """The environment's override (the sandbox in development) wins over the region."""
        override = getattr(settings, f"EXOTEL_{family.upper()}_BASE_URL")
        return (override or REGION_BASE_URLS[self.region][f"{family}_base_url"]).rstrip("/")

    @property
    def integrations_token_expires_at(self) -> datetime | None:
        if self.integrations_token_issued_at is None:
            return None
        return self.integrations_token_issued_at + timedelta(days=IssuedToken.LIFETIME_DAYS)

    @property
    def has_integrations(self) -> bool:
        return bool(self.integrations_customer_id and self.integrations_app_id and self.integrations_app_token)

    def missing_configuration(self) -> list[str]:
        missing = [] if self.api_token else ["API token"]
        if not self.exophones.all():  # uses a prefetch when there is one
            missing.append("at least one ExoPhone")
        return missing


def validate_e164(value: str) -> None:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or value != phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    ):
        raise ValidationError(f"{value!r} is not a valid phone number in E.164 form, e.g. +918030752400.")


class ExoPhone(models.Model):
    """A virtual number calls are placed from."""

    account = models.ForeignKey(ExotelAccount, on_delete=models.CASCADE, related_name="exophones")
    number = models.CharField(max_length=20, validators=[validate_e164], help_text="E.164, e.g. +918030752400")
    label = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["account", "number"], name="unique_exophone_per_account")]
        verbose_name = "ExoPhone"

    def __str__(self) -> str:
        return f"{self.number} ({self.label})" if self.label else self.number
