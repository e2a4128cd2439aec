"""Job files hold full ID and phone numbers: the folder is 0700 and every file in it 0600,
whatever the process umask (the probe found rosters and full exports world-readable)."""

import os
import stat

import pytest
from django.urls import reverse

from ruhui.core.private import private_dir, private_file
from ruhui.jobs.models import Job
from tests.enterprises.test_import_pages import csv_upload, enterprise_rows
from tests.importing.test_member_import import good_row, roster
from tests.importing.test_member_jobs import upload
from tests.members.factories import join

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def generous_umask():
    """The usual 022 of a service account: files would be created 0644 without the guard."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def assert_private(folder):
    assert mode(folder) == 0o700, oct(mode(folder))
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert mode(path) == 0o600, (path.name, oct(mode(path)))


def test_helpers_narrow_modes_whatever_the_umask(tmp_path):
    folder = tmp_path / "jobs"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)  # noqa: S103 (the wide mode the guard must narrow)
    assert mode(private_dir(folder)) == 0o700
    existing = folder / "old.csv"
    existing.write_text("x")
    os.chmod(existing, 0o644)
    assert mode(private_file(existing)) == 0o600 and existing.read_text() == ""
    with private_file(folder / "new.xlsx").open("wb") as handle:  # a writer keeps the mode
        handle.write(b"PK")
    assert mode(folder / "new.xlsx") == 0o600


def test_upload_result_workbook_and_full_export_are_private(
    world,
    as_user,
    tmp_path,
    job_files,
    django_capture_on_commit_callbacks,
):
    join(world.county_admin, world.county_trade, name="名册甲")
    roster_file = roster(tmp_path / "花名册.xlsx", [good_row(), good_row(phone="12")])
    client = as_user(world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("importing:upload"),
            {"union": world.county_trade.pk, "file": upload(roster_file)},
        )
        client.post(
            reverse("importing:export"),
            {"union": world.county.pk, "fmt": "csv", "full": "on", "reason": "核对会籍"},
        )
        client.post(reverse("importing:export"), {"union": world.county.pk, "fmt": "xlsx"})
    job = Job.objects.filter(kind="member_import").get()
    assert job.result_path and mode(job.upload_path) == 0o600 and mode(job.result_path) == 0o600
    exports = Job.objects.filter(kind="member_export", status="succeeded")
    assert sorted(job.options["full"] for job in exports) == [False, True]
    client.get(reverse("importing:template"))
    assert_private(job_files)


def test_enterprise_import_files_are_private(
    world, as_user, job_files, django_capture_on_commit_callbacks
):
    client = as_user(world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("enterprise_import:upload"),
            {"kind": "enterprise", "unit": world.county.pk, "file": csv_upload(enterprise_rows())},
        )
    assert response.status_code == 302
    job = Job.objects.get(kind="enterprise_import")
    assert job.status == "succeeded" and job.result_path and job.upload_path
    assert_private(job_files)
