"""`manage.py exotel_sandbox`: the same process as `python -m exoadmin.sandbox`, started from Django."""

from typing import Any

from django.core.management.base import BaseCommand

from exoadmin.sandbox import cli


class Command(BaseCommand):
    help = "Run the Exotel sandbox, a local stand-in for Exotel's HTTP APIs."

    def add_arguments(self, parser: Any) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cli.run(**{name: options[name] for name in cli.OPTIONS})
