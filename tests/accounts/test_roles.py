import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from exoadmin.accounts.roles import Role, role_of, supervisor_required


@supervisor_required
def supervisor_page(request):
    return HttpResponse("board")


def test_role_groups_exist_after_migrations(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"Supervisors", "Agents"}


def test_staff_are_admins_and_groups_give_the_other_roles(admin_login, supervisor_login, agent_login):
    assert role_of(admin_login.user) == Role.ADMIN
    assert role_of(supervisor_login.user) == Role.SUPERVISOR
    assert role_of(agent_login.user) == Role.AGENT


def test_agent_on_a_supervisor_page_is_refused_naming_the_roles_needed(agent_login):
    request = RequestFactory().get("/board")
    request.user = agent_login.user

    with pytest.raises(PermissionDenied, match="This page is for supervisors and admins."):
        supervisor_page(request)


def test_admin_may_use_supervisor_pages(admin_login):
    request = RequestFactory().get("/board")
    request.user = admin_login.user

    assert supervisor_page(request).content == b"board"


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("login_fixture", "template"),
    [("admin_login", "home_admin"), ("supervisor_login", "home_supervisor"), ("agent_login", "home_agent")],
)
def test_each_role_lands_on_its_own_home(client, request, login_fixture, template):
    login = request.getfixturevalue(login_fixture)
    client.login(username=login.username, password=login.password)

    response = client.get("/")

    assert response.status_code == 200
    assert f"accounts/{template}.html" in [t.name for t in response.templates]


def test_user_without_a_role_gets_a_403_page_that_says_which_roles_may_enter(client, django_user_model):
    django_user_model.objects.create_user("nobody", password="pw-nobody-2026")
    client.login(username="nobody", password="pw-nobody-2026")

    response = client.get("/")

    assert response.status_code == 403
    assert "This page is for agents, supervisors and admins." in response.content.decode()


def test_members_see_only_their_accounts_and_admins_see_all(client, exotel_account, supervisor_login):
    from exoadmin.accounts.services import account_create_or_update

    account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    exotel_account.members.add(supervisor_login.user)
    exotel_account.account_wide.add(supervisor_login.user)  # sees every team
    client.login(username=supervisor_login.username, password=supervisor_login.password)

    page = client.get("/").content.decode()

    assert "Acme" in page and "+918030752400" in page
    assert "Other" not in page
