import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def no_earlier_failures():
    cache.clear()


def log_in(client, username, password, address="10.0.0.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(client, agent_login):
    for _ in range(5):
        assert "correct username and password" in log_in(client, "asha", "guess").content.decode()

    response = log_in(client, "asha", agent_login.password)

    assert response.status_code == 200
    assert "Too many failed logins. Try again in 15 minute(s)" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_forgets_earlier_failures(client, agent_login):
    for _ in range(4):
        log_in(client, "asha", "guess")
    assert log_in(client, "asha", agent_login.password).status_code == 302
    client.logout()

    for _ in range(4):
        log_in(client, "asha", "guess")

    assert log_in(client, "asha", agent_login.password).status_code == 302


def test_one_address_guessing_many_usernames_is_locked(client, agent_login):
    for n in range(20):
        log_in(client, f"user{n}", "guess", address="10.9.9.9")

    response = log_in(client, "asha", agent_login.password, address="10.9.9.9")

    assert "Too many failed logins" in response.content.decode()
    assert log_in(client, "asha", agent_login.password, address="10.0.0.8").status_code == 302
