"""The ASGI application: every page, and the live streams that hold a connection open for long."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exoadmin.settings")
application = get_asgi_application()
