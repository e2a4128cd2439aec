"""API schemas (typed, in the OpenAPI document)."""

import datetime

from ninja import Schema


class OrganizationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    division_code: str
    division_name: str
    parent_code: str | None
    depth: int
    industry: str
    groups: list[str]
    founded_on: datetime.date | None
    chair_name: str
    is_active: bool
    admits_members: bool
    six_haves_met: int


class OrganizationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[OrganizationOut]


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    organization_code: str
    organization_name: str


class ErrorOut(Schema):
    detail: str
