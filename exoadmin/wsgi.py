import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exoadmin.settings")
os.environ.setdefault("DB_STATEMENT_TIMEOUT", "30")  # as exoadmin/asgi.py: a person waits on a web request
application = get_wsgi_application()
