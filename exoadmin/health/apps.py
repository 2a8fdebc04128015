from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "exoadmin.health"
    label = "health"
    verbose_name = "Health"
