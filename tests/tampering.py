"""Write tampering (mass assignment): every form and API write, posted with forged values.

The writes are found automatically (`write_endpoints`): every URL pattern whose view handles
POST (its source names `POST`, or it is `require_POST`), and every django-ninja operation that is
not a GET. Each must have a case builder in tests/test_write_tampering.py's registry (or an
allow-list entry with a reason), so a new write without a tampering case fails that test.

How a case is posted. The owner's data comes from the forms the owner sees: every page of the
jurisdiction walk is fetched once as the county admin, and every `<form method=post>` on it is
indexed by its action URL, with the values a browser would send (the object's current values,
hidden fields, the CSRF-free test client needs no token). Then:

- **field forgeries**: a field of the form that names a union / unit / responsible unit /
  organization / park / member / user is set to the sibling county's or the industry union's
  object (or the city's, above the actor); a `role` or `status` select to a value it does not
  offer; an `amount` to a negative or absurd sum. Each must be refused — 403/404/405/409/422, or
  the page again with a form error (`field-error` / `form-errors`), or a redirect with an error
  message — and NOTHING may change in the database;
- **extra fields**: the owner's valid data plus fields the form does not have (`id`,
  `created_by`, `approved_by`, `status`, `organization`, `union`, `amount`, `is_superuser` …) naming
  foreign objects. The write may succeed, but no changed row may newly point at a foreign
  organization or user, carry the forged status or amount, or become a superuser; and no row that
  belonged to the sibling county or the industry union may change.

Every post runs inside a transaction that is rolled back, so one world serves all cases, and the
database is compared row by row (`snapshot`) before and after. A forged value is never a 500.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

import lxml.html
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, get_resolver

#: Tables that legitimately change on a refused post (the audit trail, sessions, lockout
#: counters) or that are Django's own bookkeeping.
SKIP_MODELS = {
    "audit.auditevent",
    "sessions.session",
    "accounts.usersession",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "contenttypes.contenttype",
    "auth.permission",
    "admin.logentry",
}
#: Columns that change without meaning anything (a login, a token's use).
SKIP_COLUMNS = {"last_login", "last_used_at"}

FORGED_STATUS = "x-forged"
FORGED_AMOUNT = Decimal("987654.32")
REFUSED_STATUSES = {400, 403, 404, 405, 409, 422}

#: Form field names that pick an organization (a union, unit, parent …).
ORG_FIELDS = {
    "union",
    "unit",
    "responsible_unit",
    "organization",
    "parent",
    "new_parent",
    "running_union",
    "target",
    "to_union",
    "org",
    "units",
}
#: Form field names that pick another object, → the walk's sample key.
OBJECT_FIELDS = {
    "park": "park_pk",
    "member": "member_pk",
    "user": "user_pk",
    "enterprise": "enterprise_pk",
    "project": "project_pk",
    "report": "report_pk",
    "position": "position_pk",
    "activity": "activity_pk",
    "case": "case_pk",
    "application": "application_pk",
}
AMOUNT_FIELDS = {"amount", "approved_amount", "recommended_amount", "subsidy_amount"}
FORGED_AMOUNTS = ["-100", "1e20", "NaN", "99999999999999999999"]


# ---- Enumeration -------------------------------------------------------------------------


def _walk_patterns(p, prefix, namespace):
    if isinstance(p, URLResolver):
        ns = p.namespace or namespace
        if ns == "admin":
            return
        for child in p.url_patterns:
            yield from _walk_patterns(child, prefix + str(p.pattern), ns)
    elif isinstance(p, URLPattern):
        name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
        yield name, p.callback


def _accepts_post(callback) -> bool:
    import inspect

    view = inspect.unwrap(callback)
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return any(hasattr(view_class, m) for m in ("post", "put", "patch", "delete"))
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return False
    return "POST" in source or "require_http_methods" in source


def api_writes() -> dict[str, tuple[str, str]]:
    """`api:<operation>` → (method, path) for every API operation that is not a GET."""
    from ruhui.api.api import api

    writes = {}
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    if method != "GET":
                        writes[f"api:{operation.view_func.__name__}"] = (method, path)
    return writes


def write_endpoints() -> set[str]:
    """The URL name of every write: page views handling POST and API operations."""
    names = {
        name
        for pattern in get_resolver().url_patterns
        for name, callback in _walk_patterns(pattern, "", None)
        if name and not name.startswith(("api:", "^")) and _accepts_post(callback)
    }
    return names | set(api_writes())


# ---- The database snapshot ---------------------------------------------------------------


def snapshot() -> dict:
    """Every row of every table (but SKIP_MODELS) as {model label: {pk: {column: value}}}."""
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIP_MODELS or model._meta.proxy or not model._meta.managed:
            continue
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIP_COLUMNS]
        rows[label] = {
            r[model._meta.pk.attname]: r for r in model._default_manager.values(*columns)
        }
    return rows


@dataclass
class Change:
    model: str
    pk: object
    before: dict | None
    after: dict | None

    def changed_columns(self) -> dict:
        if self.after is None:
            return {}
        before = self.before or {}
        return {k: v for k, v in self.after.items() if before.get(k, object()) != v}

    def __str__(self):
        kind = "new" if self.before is None else "deleted" if self.after is None else "changed"
        return f"{self.model} #{self.pk} {kind} {self.changed_columns() or ''}".strip()


def diff(before: dict, after: dict) -> list[Change]:
    changes = []
    for label, rows in after.items():
        old = before.get(label, {})
        for pk, row in rows.items():
            if old.get(pk) != row:
                changes.append(Change(label, pk, old.get(pk), row))
        for pk in old.keys() - rows.keys():
            changes.append(Change(label, pk, old[pk], None))
    return changes


def _fk_targets():
    """{model label: {column: target model label}} for the foreign keys to orgs and users."""
    targets = {}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model._meta.label_lower in {
                "orgs.organization",
                "accounts.user",
            }:
                targets.setdefault(model._meta.label_lower, {})[f.attname] = (
                    f.related_model._meta.label_lower
                )
    return targets


# ---- Posting -----------------------------------------------------------------------------


@dataclass
class Post:
    """One forged request. `refuse`: a forged form field (must be refused, nothing changed);
    otherwise extra fields (may succeed, but no forged value may land)."""

    endpoint: str
    label: str
    url: str
    data: dict
    refuse: bool
    actor: object = None
    json: bool = False
    method: str = "post"
    headers: dict = field(default_factory=dict)
    #: After `run`: the status and the form errors shown (to explain a control that failed).
    answer: str = ""


@dataclass
class Foreign:
    """What the actor must not reach: organizations, users, and the rows that belonged to them
    (their pks, by model) when the world was built."""

    orgs: set
    users: set
    rows: dict = field(default_factory=dict)

    def collect_rows(self, snap: dict, fk_targets: dict) -> None:
        for label, rows in snap.items():
            columns = fk_targets.get(label, {})
            for pk, row in rows.items():
                owned = label == "orgs.organization" and pk in self.orgs
                owned = owned or any(
                    (
                        row.get(c) in self.orgs
                        if t == "orgs.organization"
                        else row.get(c) in self.users
                    )
                    for c, t in columns.items()
                )
                if owned:
                    self.rows.setdefault(label, set()).add(pk)


def send(client, post: Post):
    if post.actor is None:
        client.logout()
    else:
        client.force_login(post.actor)
    if post.json:
        return getattr(client, post.method)(
            post.url, json.dumps(post.data), content_type="application/json", **post.headers
        )
    return getattr(client, post.method)(post.url, post.data, **post.headers)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def errors_in(body: str) -> str:
    """The form errors of a page (or the start of a JSON answer)."""
    if body.lstrip().startswith("{"):
        return body[:300]
    try:
        document = lxml.html.fromstring(body)
    except Exception:
        return ""
    found = document.xpath(
        '//*[contains(@class, "field-error") or contains(@class, "form-errors")]'
    )
    return " / ".join(e.text_content().strip() for e in found)


def _has_error_message(response) -> bool:
    request = getattr(response, "wsgi_request", None)
    if request is None:
        return False
    return any(m.level >= message_levels.WARNING for m in get_messages(request))


def run(client, post: Post, foreign: Foreign, fk_targets: dict) -> tuple[list[str], bool]:
    """Post inside a rolled-back transaction; → (violations, accepted)."""
    problems = []
    with transaction.atomic():
        before = snapshot()
        try:
            response = send(client, post)
            status = response.status_code
            body = _body(response)
        except Exception as exc:  # a forged value must never be a 500
            transaction.set_rollback(True)
            return [f"{post.endpoint} [{post.label}]: raised {exc!r}"], False
        changes = diff(before, snapshot())
        transaction.set_rollback(True)
    post.answer = f"{status} {errors_in(body)[:300]}"
    where = f"{post.endpoint} [{post.label}] {post.url}"
    if status >= 500:
        return [f"{where}: answered {status}"], False
    if post.refuse:
        refused = (
            status in REFUSED_STATUSES
            or (status == 200 and ("field-error" in body or "form-errors" in body))
            or (status in (301, 302, 303) and _has_error_message(response))
        )
        if changes:
            problems.append(f"{where}: accepted ({status}); changed {[str(c) for c in changes]}")
        elif not refused:
            problems.append(f"{where}: answered {status} without a form error")
        return problems, bool(changes)
    for change in changes:
        problems += _forged_landed(where, change, foreign, fk_targets)
    return problems, bool(changes)


def _forged_landed(where, change: Change, foreign: Foreign, fk_targets: dict) -> list[str]:
    problems = []
    if change.pk in foreign.rows.get(change.model, set()):
        problems.append(f"{where}: changed a foreign row {change}")
    columns = fk_targets.get(change.model, {})
    for column, value in change.changed_columns().items():
        target = columns.get(column)
        if target == "orgs.organization" and value in foreign.orgs:
            problems.append(f"{where}: {change.model}.{column} set to foreign org #{value}")
        if target == "accounts.user" and value in foreign.users:
            problems.append(f"{where}: {change.model}.{column} set to foreign user #{value}")
        if value in (FORGED_STATUS, FORGED_AMOUNT):
            problems.append(f"{where}: {change.model}.{column} took the forged value {value!r}")
        if column in {"is_superuser", "is_staff"} and value is True:
            problems.append(f"{where}: {change.model}.{column} became True")
    return problems


# ---- Forms as a browser would send them -----------------------------------------------------


def _path(url: str) -> str:
    return urlsplit(url).path


def forms_on(html: str, page_url: str) -> dict[str, list[dict]]:
    """{action path: [{"fields": {name: value or [values]}, "selects": {name: [option values]},
    "files": [names]}, …]} of the page's POST forms (a page may post several forms, e.g. one per
    action button, to one address)."""
    try:
        document = lxml.html.fromstring(html)
    except Exception:
        return {}
    found = {}
    for form in document.iter("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = _path(form.get("action") or page_url) or _path(page_url)
        fields, selects, files, submit = {}, {}, [], None
        for element in form.iter("input", "select", "textarea", "button"):
            name = element.get("name")
            if not name or element.get("disabled") is not None:
                continue
            tag = element.tag
            kind = (element.get("type") or ("submit" if tag == "button" else "text")).lower()
            if tag == "select":
                options = [o.get("value", o.text_content()) for o in element.iter("option")]
                selects[name] = options
                chosen = [
                    o.get("value", o.text_content())
                    for o in element.iter("option")
                    if o.get("selected") is not None
                ]
                if element.get("multiple") is not None:
                    _add(fields, name, chosen, many=True)
                else:
                    _add(fields, name, chosen[:1] or options[:1])
            elif tag == "textarea":
                _add(fields, name, [element.text or ""])
            elif kind in ("submit", "button", "image"):
                if submit is None:
                    submit = (name, element.get("value", ""))
            elif kind == "file":
                files.append(name)
            elif kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    _add(fields, name, [element.get("value", "on")], many=kind == "checkbox")
                selects.setdefault(name, []).append(element.get("value", "on"))
            else:
                _add(fields, name, [element.get("value", "")])
        if submit and submit[0] not in fields:
            fields[submit[0]] = submit[1]
        fields.pop("csrfmiddlewaretoken", None)
        found.setdefault(action, []).append({"fields": fields, "selects": selects, "files": files})
    return found


def _add(fields, name, values, many=False):
    if many or name in fields:
        existing = fields.get(name, [])
        existing = existing if isinstance(existing, list) else [existing]
        fields[name] = existing + list(values)
    elif values:
        fields[name] = values[0]
    else:
        fields[name] = ""
