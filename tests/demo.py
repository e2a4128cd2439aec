"""The demo world for tests that use it as a stage: its cadres past their first login (the
forced password change every demo account meets is tested in tests/test_demo.py)."""

import pytest
from django.db import transaction
from django.test import override_settings

from ruhui.accounts.models import User
from ruhui.demo.world import DEMO_USERS, seed_demo


def seed_demo_signed_in(**options) -> dict:
    result = seed_demo(**options)
    User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).update(must_change_password=False)
    return result


def module_demo(**options):
    """A module-scoped fixture: the demo seeded once (signed in) for all the module's tests,
    its files in a temporary folder, rolled back at the end; it yields seed_demo's result.
    Use as `demo_world = module_demo(members=...)`."""

    @pytest.fixture(scope="module")
    def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
        files = tmp_path_factory.mktemp("demo")
        with (
            django_db_blocker.unblock(),
            override_settings(RUHUI_JOB_FILES=files / "jobs", RUHUI_ATTACHMENTS=files / "att"),
        ):
            outer = transaction.atomic()
            outer.__enter__()
            try:
                yield seed_demo_signed_in(**options)
            finally:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)

    return demo_world
