"""PostgreSQL with a breaker on connecting (settings.DATABASES uses it for postgres:// URLs)."""
