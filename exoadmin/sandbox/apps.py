from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Installed only for its `exotel_sandbox` management command; the sandbox has no models."""

    name = "exoadmin.sandbox"
    label = "sandbox"
    verbose_name = "Exotel sandbox"
