"""Run by tests/web/test_demo_profile.py in a process under the demo profile, on a migrated demo
var dir: builds two sibling counties and a cadre of one, signs the cadre in and prints, as JSON,
the session cookie, the two organizations' ids and the settings the test checks."""

import json

import django

django.setup()

from django.conf import settings  # noqa: E402 (after setup)
from django.test import Client  # noqa: E402

from ruhui.orgs.choices import OrgKind  # noqa: E402
from tests.factories import OrganizationFactory, UserFactory  # noqa: E402


def main() -> None:
    city = OrganizationFactory(name="平顶山市总工会", kind=OrgKind.CITY_FEDERATION)
    own = OrganizationFactory(parent=city, name="舞钢市总工会", kind=OrgKind.COUNTY_FEDERATION)
    foreign = OrganizationFactory(parent=city, name="宝丰县总工会", kind=OrgKind.COUNTY_FEDERATION)
    cadre = UserFactory(username="demo_probe_admin", organization=own)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(cadre)
    print(
        json.dumps(
            {
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "own": own.pk,
                "foreign": foreign.pk,
                "foreign_name": foreign.name,
                "debug": settings.DEBUG,
                "production": settings.PRODUCTION,
                "allowed_hosts": settings.ALLOWED_HOSTS,
                "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
                "static_root": str(settings.STATIC_ROOT),
            }
        )
    )


if __name__ == "__main__":
    main()
