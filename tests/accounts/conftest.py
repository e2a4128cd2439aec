"""Fixtures for the accounts tests: a real login through the login form (axes needs the request)."""

import pytest

from tests.accounts.helpers import CLIENT_IP, LOGIN_URL
from tests.factories import PASSWORD


@pytest.fixture
def login_post(client):
    """`login_post(username, password)` → the response of a real POST to the login page."""

    def post(username, password=PASSWORD, *, ip=CLIENT_IP, on=None):
        return (on or client).post(
            LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    return post
