"""The POST body of a correctly filled public join form, shared by every test that submits one
(the joining tests, the concurrency suite, the database-outage tests and the fault drill)."""

from tests.members.factories import make_id_number, make_phone


def join_form_data(**changes) -> dict:
    """A worker's valid form with consent; `changes` override fields, a None removes one."""
    data = {
        "name": "李小军",
        "id_number": make_id_number(),
        "phone": make_phone(),
        "ethnicity": "01",
        "education": "61",
        "household_division": "410481",
        "is_migrant_worker": "1",
        "group": "02",
        "employment_status": "1",
        "employment_form": "5",
        "employer_name": "顺丰速运舞钢营业部",
        "work_location": "舞钢市垭口街道",
        "consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
