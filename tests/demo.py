"""The demo world for tests that use it as a stage: its cadres past their first login (the
forced password change every demo account meets is tested in tests/test_demo.py)."""

from ruhui.accounts.models import User
from ruhui.demo.world import DEMO_USERS, seed_demo


def seed_demo_signed_in(**options) -> dict:
    result = seed_demo(**options)
    User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).update(must_change_password=False)
    return result
