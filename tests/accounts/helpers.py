"""Small helpers shared by the accounts tests."""

import re

LOGIN_URL = "/accounts/login/"
CLIENT_IP = "203.0.113.7"


def errors_in(response, css_class: str) -> list[str]:
    """The texts of the <p> elements inside the first block of the given error class."""
    block = re.search(rf'class="{css_class}"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return re.findall(r"<p>(.*?)</p>", block.group(1), re.S) if block else []


def is_login_redirect(response, next_path: str | None = None) -> bool:
    """A redirect to the login page (exactly ?next=next_path when next_path is given)."""
    if response.status_code != 302:
        return False
    location = response["Location"]
    if next_path is None:
        return location.startswith(LOGIN_URL)
    return location == f"{LOGIN_URL}?next={next_path}"


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session
