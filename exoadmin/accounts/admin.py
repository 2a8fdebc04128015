from django import forms
from django.contrib import admin
from django.db.models import Count

from exoadmin.accounts.models import ExoPhone, ExotelAccount

SECRET_FIELDS = ("api_token", "integrations_app_token")
ACCOUNT_FIELDS = (
    "name",
    "region",
    "account_sid",
    "api_key",
    "api_token",
    "integrations_customer_id",
    "integrations_app_id",
    "integrations_app_token",
    "members",
)


class ExotelAccountForm(forms.ModelForm):
    """Secrets are write-only: never rendered back; a blank field keeps the stored value."""

    api_token = forms.CharField(label="API token", required=False, widget=forms.PasswordInput(render_value=False))
    integrations_app_token = forms.CharField(
        label="Integrations app token", required=False, widget=forms.PasswordInput(render_value=False)
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
            {"fields": ("integrations_customer_id", "integrations_app_id", "integrations_app_token")},
        ),
        ("People", {"fields": ("members", "account_wide")}),
    )

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
