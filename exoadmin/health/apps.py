from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "exoadmin.health"
    label = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        """Every process (web, worker, beat) reports its breakers to /metrics from its start."""
        from exoadmin.breakers import observe
        from exoadmin.metrics import breaker_seen

        observe(breaker_seen)
