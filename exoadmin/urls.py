from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from exoadmin.accounts import views as account_views
from exoadmin.accounts.forms import ThrottledLoginForm
from exoadmin.health import views as health_views

admin.site.site_header = "exoadmin"
admin.site.site_title = "exoadmin admin"

urlpatterns = [
    path("", account_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=ThrottledLoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health_views.healthz, name="healthz"),
    path("metrics", health_views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("", include("agents.urls")),
    path("", include("calls.urls")),
    path("", include("contacts.urls")),
    path("", include("teams.urls")),
    path("", include("exoadmin.live.urls")),
    path("", include("teams.people.urls")),
    path("", include("reports.urls")),
]
handler500 = "exoadmin.unavailable.server_error"
