"""Demo background jobs: what a cadre of 舞钢 finds under 后台任务 — a roster upload that was
checked (two rows refused, with their reasons) and then confirmed, and a masked export of the
county's members — made through the same services as the pages, so every figure on the job
pages is the importer's own."""

import csv
import datetime
import tempfile
from pathlib import Path

from django.utils import timezone

from ruhui.demo.members import Generator
from ruhui.importing.jobs import export_job_create, import_job_create
from ruhui.jobs.models import Job
from ruhui.jobs.services import job_confirm, job_run
from ruhui.orgs.choices import ADMITTING_KINDS
from ruhui.orgs.models import Organization

ACTOR = "wg_admin"
COUNTY = "WG"
FILE_NAME = "舞钢快递网点会员花名册（第二批）.csv"
HEADER = [
    "序号",
    "会员姓名",
    "公民身份号码",
    "手机号码",
    "民族",
    "是否农民工",
    "八大群体",
    "入会时间",
]
NEW_PEOPLE = 12


def _roster(folder: Path, gen: Generator) -> Path:
    """Twelve couriers who joined last week, and two rows a cadre would get wrong: a phone
    number one digit short and an ID number with a wrong check digit."""
    joined = timezone.localdate() - datetime.timedelta(days=7)
    rows = []
    for _ in range(NEW_PEOPLE):
        person = gen.person("02", joined, migrant=True)
        rows.append([gen.name(person.sex), person.id_number, gen.phone(), "汉族", "是", "快递员"])
    person = gen.person("02", joined, migrant=True)
    rows.append([gen.name(person.sex), person.id_number, gen.phone()[:10], "汉族", "是", "快递员"])
    person = gen.person("02", joined, migrant=True)
    wrong = person.id_number[:17] + ("0" if person.id_number[17] != "0" else "1")
    rows.append([gen.name(person.sex), wrong, gen.phone(), "汉族", "是", "快递员"])
    path = folder / FILE_NAME
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n, row in enumerate(rows, start=1):
            writer.writerow([n, *row, f"{joined:%Y-%m-%d}"])
    return path


def seed_demo_jobs(seed: int = 2026) -> dict:
    """A checked and confirmed roster import and a finished export, as a second batch for a
    registry that has members (idempotent: nothing is written when any job exists, or when
    the registry is empty). The jobs run here, as the worker would run them."""
    from ruhui.accounts.models import User
    from ruhui.members.models import Member

    if Member.objects.exists() and not Job.objects.exists():
        actor = User.objects.select_related("organization").get(username=ACTOR)
        county = Organization.objects.get(code=COUNTY)
        union = (
            Organization.objects.filter(
                path__startswith=county.path, kind__in=ADMITTING_KINDS, is_active=True
            )
            .filter(name__contains="快递")
            .order_by("path")
            .first()
        ) or county
        gen = Generator(seed=seed, today=timezone.localdate())
        with tempfile.TemporaryDirectory() as folder:
            path = _roster(Path(folder), gen)
            check = import_job_create(
                actor=actor, union=union, source=path, original_name=FILE_NAME
            )
        job_run(check.pk)  # a no-op when the task ran already (immediate backend)
        commit = job_confirm(actor=actor, job=Job.objects.get(pk=check.pk))
        job_run(commit.pk)
        export = export_job_create(actor=actor, union=county, fmt="xlsx")
        job_run(export.pk)
    return {"jobs": Job.objects.count()}
