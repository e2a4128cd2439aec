"""The peer for bench_update.py and bench_peer.py: django-import-export 4.4.3 upserting (`upsert`)
or inserting (`insert`, csv or xlsx) the same roster into the member table, tuned as its
documentation's "Import performance" advice says — `use_bulk` with `batch_size = 1000`,
`skip_diff`, and for the upsert `CachedInstanceLoader` (one query for every instance the file
names) keyed on the blind index, for the insert `force_init_instance` (no lookups at all).

A resource must store what the registry stores, so `before_import` brings the file's rows into
the model's shape with the project's own functions (the code tables, the batch encryption,
the blind index, the masks, the ID number's birth date and sex): the same work the importer's
row preparation does, minus its validation and messages. It writes no 入会 events for new
members (the importer does) and checks nothing the database does not: it does less than the
importer, so the ratio flatters it.
"""

import datetime
from pathlib import Path

import tablib
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from ruhui.accounts.models import User
from ruhui.core import crypto, idnumber
from ruhui.core.masking import mask_id_number, mask_phone
from ruhui.members.models import Member, MemberStatus
from ruhui.members.personal import ID_CONTEXT, PHONE_CONTEXT, id_hash, name_initials
from ruhui.members.validation import CODED
from ruhui.orgs.models import Organization

CODED_COLUMNS = {
    "民族": "ethnicity",
    "学历": "education",
    "户籍类型": "household_type",
    "就业状况": "employment_status",
    "用工形式": "employment_form",
    "八大群体类别": "group",
}
COLUMNS = [
    "name",
    "name_initials",
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
    "id_county_unknown",
    "sex",
    "birth_date",
    "phone_encrypted",
    "phone_masked",
    "phone_tail",
    *CODED_COLUMNS.values(),
    "employer_name",
    "is_migrant_worker",
    "new_employment_form",
    "joined_on",
    "member_number",
    "status",
    "source",
    "verification_status",
    "union_id",
    "origin_union_id",
    "collected_by_id",
]
IDS = ("union_id", "origin_union_id", "collected_by_id")


class MemberResource(resources.ModelResource):
    # Foreign keys as plain ids: the default ForeignKeyWidget would query once per row.
    union_id = fields.Field(
        attribute="union_id", column_name="union_id", widget=widgets.IntegerWidget()
    )
    origin_union_id = fields.Field(
        attribute="origin_union_id", column_name="origin_union_id", widget=widgets.IntegerWidget()
    )
    collected_by_id = fields.Field(
        attribute="collected_by_id", column_name="collected_by_id", widget=widgets.IntegerWidget()
    )

    class Meta:
        model = Member
        fields = tuple(COLUMNS)
        import_id_fields = ("id_number_hash",)
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_diff = True

    def __init__(self, *, actor, unions: dict[str, int]):
        super().__init__()
        self.actor = actor
        self.unions = unions

    def before_import(self, dataset, **kwargs):
        """The file's rows in the model's shape (see the module docstring)."""
        source = dataset.dict
        numbers = [row["身份证号码"] for row in source]
        phones = [row["手机号码"] for row in source]
        hashes = [id_hash(n) for n in numbers]
        sealed_ids = crypto.encrypt_many(numbers, context=ID_CONTEXT)
        sealed_phones = crypto.encrypt_many(phones, context=PHONE_CONTEXT)
        held = dict(
            Member.objects.filter(id_number_hash__in=hashes).values_list(
                "id_number_hash", "member_number"
            )
        )
        codes = {column: CODED[name] for column, name in CODED_COLUMNS.items()}
        shaped = []
        for i, row in enumerate(source):
            info = idnumber.parse(numbers[i])
            union_id = self.unions[row["所属工会"]]
            coded = [codes[column].code_for(row[column]) or "" for column in CODED_COLUMNS]
            shaped.append(
                [
                    row["姓名"],
                    name_initials(row["姓名"]),
                    sealed_ids[i],
                    hashes[i],
                    mask_id_number(numbers[i]),
                    not info.county_known,
                    info.sex,
                    info.birth_date,
                    sealed_phones[i],
                    mask_phone(phones[i]),
                    phones[i][-4:],
                    *coded,
                    row["工作单位"],
                    row["是否农民工"] == "是",
                    row["新就业形态"] == "是",
                    datetime.date.fromisoformat(row["入会日期"]),
                    held.get(hashes[i]) or f"IE{i:018d}",
                    MemberStatus.ACTIVE,
                    "导入",
                    "0" if info.county_known else "3",
                    union_id,
                    union_id,
                    self.actor.pk,
                ]
            )
        dataset.wipe()
        dataset.headers = COLUMNS
        for values in shaped:
            dataset.append(values)


def upsert(path: Path):
    """Upsert the roster at `path` (csv) through django-import-export; its Result."""
    actor = User.objects.get(username="wg_admin")
    root = Organization.objects.get(code="WG")
    unions = dict(Organization.objects.filter(path__startswith=root.path).values_list("code", "pk"))
    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    resource = MemberResource(actor=actor, unions=unions)
    return resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)


class MemberInsertResource(MemberResource):
    """The same resource for a file of new members only: `force_init_instance`, the docs'
    advice when "your import dataset is guaranteed to contain new instances" (no instance
    lookups at all); still bulk, batch 1000, skip_diff."""

    class Meta(MemberResource.Meta):
        force_init_instance = True


def insert(path: Path, kind: str):
    """Insert the roster at `path` (csv or xlsx, all new members) through django-import-export,
    reading the file with tablib as its admin does; its Result."""
    actor = User.objects.get(username="wg_admin")
    root = Organization.objects.get(code="WG")
    unions = dict(Organization.objects.filter(path__startswith=root.path).values_list("code", "pk"))
    if kind == "xlsx":
        with path.open("rb") as handle:
            dataset = tablib.Dataset().load(handle, format="xlsx")
    else:
        dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    resource = MemberInsertResource(actor=actor, unions=unions)
    return resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
