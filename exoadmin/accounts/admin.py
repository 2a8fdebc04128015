from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone

from exoadmin.accounts.integrations_token import integrations_token_renew
from exoadmin.accounts.models import ExoPhone, ExotelAccount
from exoadmin.refusals import Refused

SECRET_FIELDS = ("api_token", "integrations_app_token", "integrations_app_secret")
ACCOUNT_FIELDS = (
    "name",
    "region",
    "account_sid",
    "api_key",
    "api_token",
    "integrations_customer_id",
    "integrations_app_id",
    "integrations_app_token",
    "integrations_app_secret",
    "integrations_token_issued_at",
    "time_zone",
    "members",
)


class ExotelAccountForm(forms.ModelForm):
    """Secrets are write-only: never rendered back; a blank field keeps the stored value."""

    api_token = forms.CharField(label="API token", required=False, widget=forms.PasswordInput(render_value=False))
    integrations_app_token = forms.CharField(
        label="Integrations app token", required=False, widget=forms.PasswordInput(render_value=False)
    )
    integrations_app_secret = forms.CharField(
        label="Integrations app secret", required=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = ExotelAccount
        fields = ACCOUNT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            is_set = bool(getattr(self.instance, name, ""))
            self.initial[name] = ""
            self.fields[name].help_text = (
                "Stored encrypted. Set — leave blank to keep it, or type a new one to replace it."
                if is_set
                else "Not set yet. Stored encrypted and never shown again."
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        for name in SECRET_FIELDS:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name, "")
        if not cleaned.get("api_token"):
            self.add_error("api_token", "An API token is required to talk to Exotel.")
        if self.data.get("integrations_app_token") and "integrations_token_issued_at" not in self.changed_data:
            cleaned["integrations_token_issued_at"] = timezone.now()  # a token pasted now was issued about now
        return cleaned


class ExoPhoneInline(admin.TabularInline):
    model = ExoPhone
    extra = 1


@admin.register(ExotelAccount)
class ExotelAccountAdmin(admin.ModelAdmin):
    form = ExotelAccountForm
    inlines = [ExoPhoneInline]
    list_display = ("name", "account_sid", "region", "integrations_enabled", "exophone_count")
    list_filter = ("region",)
    search_fields = ("name", "account_sid")
    filter_horizontal = ("members", "account_wide")
    fieldsets = (  # every field of ACCOUNT_FIELDS, once
        (None, {"fields": ("name", "region", "account_sid", "api_key", "api_token")}),
        (
            "Integrations (phone/SIP devices)",
            {
                "fields": (
                    "integrations_customer_id",
                    "integrations_app_id",
                    "integrations_app_secret",
                    "integrations_app_token",
                    "integrations_token_issued_at",
                    "token_expiry",
                    "integrations_token_renewal_error",
                ),
                "description": "Exotel's app tokens expire 90 days after issue. With the app secret stored, "
                "exoadmin obtains a new one three weeks before (hourly, from beat); /healthz warns two weeks before.",
            },
        ),
        ("Days", {"fields": ("time_zone",)}),
        ("People", {"fields": ("members", "account_wide")}),
    )
    readonly_fields = ("token_expiry", "integrations_token_renewal_error")
    actions = ["renew_integrations_token"]

    @admin.display(description="app token expires")
    def token_expiry(self, account: ExotelAccount) -> str:
        expires = account.integrations_token_expires_at
        if expires is None:
            return "Unknown: set when the token was issued" if account.integrations_app_token else "No token"
        return f"{timezone.localtime(expires):%d %b %Y %H:%M} ({(expires - timezone.now()).days} days)"

    @admin.action(description="Renew the integrations app token now")
    def renew_integrations_token(self, request, queryset):
        for account in queryset:
            try:
                integrations_token_renew(account=account)
            except Refused as refused:
                self.message_user(request, f"{account.name}: {refused}", messages.ERROR)
            else:
                self.message_user(request, f"{account.name}: a new app token is in use, valid 90 days.")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(exophone_total=Count("exophones"))

    @admin.display(boolean=True, description="integrations")
    def integrations_enabled(self, account: ExotelAccount) -> bool:
        return account.has_integrations

    @admin.display(description="ExoPhones", ordering="exophone_total")
    def exophone_count(self, account: ExotelAccount) -> int:
        return account.exophone_total  # type: ignore[attr-defined]  # annotated by get_queryset


@admin.register(ExoPhone)
class ExoPhoneAdmin(admin.ModelAdmin):
    list_display = ("number", "label", "account")
    list_filter = ("account",)
    search_fields = ("number", "label")
