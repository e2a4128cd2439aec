"""The importer's fast paths give what the plain row-by-row functions give.

Each fast path (a lean validator for valid rows, stored forms computed per chunk, the blind
index without a key set-up per value, member numbers for a chunk in one statement) is checked
against the function it stands in for, on generated rows that mix valid values, errors and the
rarer spellings."""

import base64
import datetime
import hashlib
import hmac
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruhui.core import crypto
from ruhui.importing.cleaning import clean_row
from ruhui.importing.prepare import PERSONAL_COLUMNS, Plan, prepare_rows, seal_personal
from ruhui.members import numbers
from ruhui.members.models import MemberNumberSequence
from ruhui.members.personal import ID_CONTEXT, PHONE_CONTEXT, name_initials, personal_data_values
from ruhui.members.validation import clean_member_fields, member_fields_cleaner
from tests.members.factories import make_id_number

TODAY = datetime.date(2026, 11, 23)
KEYRING = crypto.KeyRing({1: os.urandom(32), 2: os.urandom(32)}, 2, os.urandom(32))


def _ids():
    return [
        make_id_number(),
        make_id_number(sex="2"),
        make_id_number().lower(),
        " " + make_id_number(),
        make_id_number()[:-1] + "0",  # usually a wrong check digit
        make_id_number(born=datetime.date(2015, 1, 1)),  # too young to join in 2019
        "410402199001011",  # 15 digits
        "4.10402E+17",
        "",
        "X1234567",
    ]


VALUES = {
    "name": ["王伟", "欧阳 娜娜", "阿依古丽·买买提", "Li Lei", "王", "", "张3", None, 17],
    "id_number": _ids(),
    "id_type": [None, "", "1", "居民身份证", "2", "护照", "99"],
    "sex": [None, "", "男", "女", "1", "2", "未知"],
    "birth_date": [None, "", datetime.date(1990, 5, 1), datetime.date(2030, 1, 1), "1990-5-1"],
    "phone": [None, "", "13912345678", "139-1234-5678", "+8613912345678", "1234567", 13912345678],
    "ethnicity": [None, "", "汉族", "汉", "01", "1", "火星族", "  "],
    "education": [None, "", "本科", "大学本科", "高中", "博士后"],
    "household_type": [None, "", "农业家庭户口", "非农业家庭户口", "外籍"],
    "employment_status": [None, "", "在岗", "失业"],
    "employment_form": [None, "", "劳动合同", "平台接单", "打零工"],
    "group": [None, "", "快递员", "非八大群体", "宇航员"],
    "employer_name": [None, "", "平顶山顺达有限公司", "长" * 121, 42],
    "employer_uscc": [None, "", "91410400MA44XXXX0X", "91350100M000100Y43"],
    "household_division": [None, "", "410481", "999999"],
    "is_migrant_worker": [None, "", True, False, "是", "maybe"],
    "new_employment_form": [None, "", True, False, "否"],
    "joined_on": [
        None,
        "",
        datetime.date(2019, 5, 1),
        datetime.date(2027, 1, 1),
        datetime.datetime(2019, 5, 1, 8, 0),
        "2019-05-01",
    ],
    "last_dues_paid_on": [None, "", datetime.date(2020, 1, 1)],
    "political_status": [None, "", "群众", "中共党员"],
    "verification_status": [None, "", "0", "已核验"],
}


@st.composite
def raw_rows(draw):
    """A {field: value} dict as the cell cleaners hand it over; absent fields are left out."""
    row = {}
    for field, choices in VALUES.items():
        value = draw(st.sampled_from(choices))
        if value is not None or draw(st.booleans()):
            row[field] = value
    return row


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_rows())
def test_lean_validator_equals_clean_member_fields(raw):
    fast = member_fields_cleaner(today=TODAY)
    assert fast(dict(raw)) == clean_member_fields(dict(raw), today=TODAY)


def test_lean_validator_takes_the_lean_path_for_a_plain_row(monkeypatch):
    from ruhui.members import validation

    calls = []
    monkeypatch.setattr(validation, "clean_member_fields", lambda raw, **kw: calls.append(raw))
    row = {
        "name": "王伟",
        "id_number": make_id_number(),
        "phone": "13912345678",
        "ethnicity": "汉族",
        "group": "快递员",
        "is_migrant_worker": True,
        "joined_on": datetime.date(2019, 5, 1),
    }
    cleaned, errors = validation.member_fields_cleaner(today=TODAY)(row)
    assert not calls and not errors and cleaned["group"] == "02"


@pytest.mark.parametrize("key_length", [16, 32, 64, 65, 100])
def test_blind_index_is_hmac_sha256(key_length):
    ring = crypto.KeyRing({1: os.urandom(32)}, 1, os.urandom(key_length))
    for value in ["410402199001011234", "41040219900101123x", "４１０４０２ 1990", "ab", ""]:
        context = ID_CONTEXT.encode()
        message = len(context).to_bytes(2, "big") + context
        message += (
            "".join(__import__("unicodedata").normalize("NFKC", value).split()).upper().encode()
        )
        expected = hmac.new(ring.blind_index_key, message, hashlib.sha256).hexdigest()
        assert crypto.blind_index(value, context=ID_CONTEXT, keyring=ring) == expected


def test_encrypt_many_gives_tokens_that_decrypt_with_fresh_nonces():
    values = ["410402199001011234", "", "13912345678", "13912345678"]
    tokens = crypto.encrypt_many(values, context=PHONE_CONTEXT, keyring=KEYRING)
    assert [crypto.decrypt(t, context=PHONE_CONTEXT, keyring=KEYRING) for t in tokens] == values
    assert tokens[2] != tokens[3]
    key_ids = {base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))[0] for t in tokens}
    assert key_ids == {KEYRING.current_id}


COLUMNS = (
    (0, "序号", None),
    (1, "姓名", "name"),
    (2, "身份证号码", "id_number"),
    (3, "手机号码", "phone"),
    (4, "民族", "ethnicity"),
    (5, "是否农民工", "is_migrant_worker"),
    (6, "入会日期", "joined_on"),
    (7, "出生日期", "birth_date"),
    (8, "所属工会", "union"),
    (9, "会员号", "member_number"),
)
CELLS = {
    "name": ["王伟", " 李 娜 ", "王", ""],
    "id_number": [*_ids(), 4.10402e17, 410402199001011],
    "phone": ["13912345678", "", "1234567", 13912345678.0],
    "ethnicity": ["汉族", "", "火星族"],
    "is_migrant_worker": ["是", "否", "", "也许"],
    "joined_on": ["2019-05-01", "2019年5月", 43586.0, "", "2019-13-45", "2030-01-01"],
    "birth_date": ["", "1990-05-01", "1990年5月", "abc"],
    "union": ["舞钢快递行业工会", "", None],
    "member_number": ["4104812019000001", ""],
}


@st.composite
def cell_rows(draw):
    return [draw(st.integers(1, 999))] + [
        draw(st.sampled_from(CELLS[name])) for _i, _h, name in COLUMNS[1:]
    ]


def _reference(cells):
    """What the importer did row by row before the fast paths (the old prepare._prepare)."""
    header_of = {name: header for _i, header, name in COLUMNS if name}
    from ruhui.members.validation import LABELS

    by_field = {name: cells[i] for i, _h, name in COLUMNS if name}
    union_value = by_field.pop("union", None)
    union_code = by_field.pop("union_code", None)
    if union_value is None or str(union_value).strip() == "":
        union_value = union_code
    by_field.pop("member_number", None)
    errors = []
    values, cell_errors = clean_row(by_field)
    for name, message in cell_errors.items():
        errors.append((header_of.get(name, LABELS.get(name, name)), message))
        values.pop(name, None)
    if not values.get("joined_on"):
        values["joined_on"] = TODAY
    cleaned, field_errors = clean_member_fields(values, today=TODAY)
    for name, messages in field_errors.items():
        if name in cell_errors:
            continue
        for message in messages:
            errors.append((header_of.get(name, LABELS.get(name, name)), message))
    return errors, (None if errors else cleaned), union_value


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cell_rows(), min_size=1, max_size=8))
def test_prepared_rows_equal_the_row_by_row_functions(rows):
    plan = Plan(
        columns=COLUMNS,
        header_of={name: header for _i, header, name in COLUMNS if name},
        today=TODAY,
        keys=dict(KEYRING.keys),
        current_key_id=KEYRING.current_id,
        index_key=KEYRING.blind_index_key,
    )
    prepared = prepare_rows(plan, KEYRING, [(n, cells) for n, cells in enumerate(rows)])
    valid = [result for result in prepared if result.cleaned is not None]
    # The ciphertexts are made only for the rows that are written, by seal_personal.
    assert all(result.personal[0] is None for result in valid)
    sealed = iter(seal_personal(valid, KEYRING))
    for cells, result in zip(rows, prepared, strict=True):
        errors, cleaned, union_value = _reference(cells)
        assert (result.errors, result.cleaned, result.union_value) == (
            errors,
            cleaned,
            union_value,
        )
        if cleaned is None:
            continue
        expected = personal_data_values(cleaned, keyring=KEYRING)
        stored = dict(zip(PERSONAL_COLUMNS, next(sealed), strict=True))
        for column in ("id_number_encrypted", "phone_encrypted"):
            context = ID_CONTEXT if column.startswith("id") else PHONE_CONTEXT
            token, reference = stored.pop(column), expected.pop(column)
            assert bool(token) == bool(reference)
            if token:
                assert crypto.decrypt(token, context=context, keyring=KEYRING) == (
                    crypto.decrypt(reference, context=context, keyring=KEYRING)
                )
        assert stored == expected and result.id_hash == expected["id_number_hash"]
        assert result.initials == name_initials(cleaned["name"])


@pytest.mark.django_db(transaction=True)
def test_number_blocks_continue_the_same_sequences():
    first = numbers.allocate_member_numbers(division="410481", year=2019, count=3)
    last = numbers.allocate_member_number_blocks({("410481", 2019): 4, ("410402", 2020): 2})
    assert last == {("410481", 2019): 7, ("410402", 2020): 2}
    after = numbers.allocate_member_numbers(division="410402", year=2020, count=1)
    assert first[-1] == "4104812019000003" and after == ["4104022020000003"]
    assert MemberNumberSequence.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_foreign_keys_are_checked_per_statement_during_an_import_only():
    """bulk.import_session checks foreign keys as each COPY ends (so the checks overlap the next
    chunk's work) and gives an enclosing transaction Django's deferred checks back."""
    from django.db import IntegrityError, connection, transaction

    from ruhui.core import bulk

    if connection.vendor != "postgresql":
        pytest.skip("SET CONSTRAINTS is PostgreSQL's")
    dangling = (
        "INSERT INTO members_membershipevent (member_id, change_type, reason, effective_on, "
        "union_id, status_before, status_after, note, created_at) "
        "VALUES (-1, '1', '', '2019-05-01', -1, '', 'active', '', now())"
    )
    with transaction.atomic():
        with (
            bulk.import_session(),
            connection.cursor() as cursor,
            pytest.raises(IntegrityError),
            transaction.atomic(),
        ):
            cursor.execute(dangling)  # refused at once, inside the import
        with connection.cursor() as cursor:
            cursor.execute(dangling)  # deferred again: accepted until the commit
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("modified", "live", "stale"),
    [
        (0, 0, False),
        (999, 0, False),
        (1000, 0, True),
        (5000, 100_000, False),
        (10_000, 100_000, True),
    ],
)
def test_statistics_are_stale_after_a_tenth_of_the_table_changed(modified, live, stale):
    from ruhui.core import bulk

    assert bulk.statistics_stale(modified=modified, live=live) is stale


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_refreshes_stale_statistics_first(world, tmp_path):
    """After a large import the next one starts with fresh planner statistics (it would
    otherwise filter the blind index row by row until autovacuum came round)."""
    from django.db import connection

    from ruhui.core import bulk
    from tests.importing.test_member_import import good_row, roster, run

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    run(world, roster(tmp_path / "a.xlsx", [good_row() for _ in range(1200)]), dry_run=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # the counts of the commit above
    assert bulk.fresh_statistics("members_member") is True
    assert bulk.fresh_statistics("members_member") is False  # fresh now
