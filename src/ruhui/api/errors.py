"""The API's error answers: every 4xx is JSON in one of the two declared shapes, never HTML.

`ErrorOut` `{"detail": "…"}` for 401, 403, 404, 405 and 409; `FieldErrorsOut`
`{"detail": [{"field", "label", "message"}]}` for 422, whether the request failed its declared
types (a page that is not a number, a status the schema does not list) or the domain validation
behind it. Messages are Chinese and, for a field, name it and say how to fix it.
"""

from collections.abc import Callable, Mapping

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ruhui.api.schemas import FieldErrorOut
from ruhui.orgs.scoping import NOT_FOUND

MSG_UNAUTHENTICATED = (
    "请先登录：浏览器请登录系统；接口对接请在请求头中提供 API 令牌（Authorization: Bearer rh_…）。"
)
MSG_BAD_TOKEN = "API 令牌无效、已撤销或账号已停用：请在「API 令牌」页面重新创建令牌。"  # noqa: S105
MSG_NO_PATH = "接口地址不存在：请对照 /api/v1/docs 中的接口列表核对地址。"
MSG_JSON = (
    "请求体不是合法的 JSON：请检查引号、逗号和括号，并以 Content-Type: application/json 发送。"
)
MSG_OBJECT = '请求体应为 JSON 对象，如 {{"name": "…"}}。'

#: Labels of parameters common to every area; an area's own labels come first.
COMMON_LABELS = {
    "page": "页码",
    "q": "关键词",
    "body": "请求体",
    "unit": "单位",
    "division": "行政区划代码",
    "kind": "类型",
    "active": "是否有效",
    "status": "状态",
}


class InvalidToken(AuthenticationError):
    """An `Authorization: Bearer` header whose token is unknown, revoked or of an inactive user."""


class Area:
    """What the error handler needs to know of one router: its field labels and the message for a
    value outside a declared list (a callable taking the value as sent)."""

    def __init__(
        self,
        labels: Mapping[str, str],
        choices: Mapping[str, Callable[[str], str]] | None = None,
    ) -> None:
        self.labels = {**COMMON_LABELS, **labels}
        self.choices = dict(choices or {})


#: Filled by api.py: first path segment under /api/v1/ → its Area.
AREAS: dict[str, Area] = {}
_GENERIC = Area({})


def choices_text(choices) -> str:
    """A code list as the messages name it: `code（label）`, joined with 、. Takes a TextChoices
    class or (code, label) pairs."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return "、".join(f"{code}（{label}）" for code, label in pairs)


def field_errors(area_labels: Mapping[str, str], errors: Mapping[str, list[str]]) -> dict:
    """A 422 body from {field: [messages]}: one entry per message, naming the field's label."""
    return {
        "detail": [
            {"field": field, "label": area_labels.get(field, field), "message": message}
            for field, messages in errors.items()
            for message in messages
        ]
    }


def _area(request: HttpRequest) -> Area:
    segment = request.path.removeprefix("/api/v1/").split("/", 1)[0]
    return AREAS.get(segment, _GENERIC)


def _field_of(loc: tuple) -> str:
    """The parameter a pydantic location points at: ("query", "page") → page,
    ("body", "payload", "name") → name; a whole-body error → body."""
    names = [str(part) for part in loc[1:] if not isinstance(part, int)]
    names = [n for n in names if n not in ("payload", "filters")]
    return names[0] if names else (str(loc[0]) if loc else "body")


def _expected(ctx: Mapping) -> str:
    text = str(ctx.get("expected", ""))
    return text.replace("' or '", "、").replace("', '", "、").strip("'")


def _sent_value(request: HttpRequest, source: str, field: str) -> str:
    if source == "query":
        value = request.GET.get(field, "")
    elif source == "path":
        value = str((request.resolver_match.kwargs if request.resolver_match else {}).get(field))
    else:
        return ""
    return value if len(value) <= 40 else value[:40] + "…"


def _message(request: HttpRequest, area: Area, error: Mapping) -> tuple[str, str]:
    """(field, Chinese message) for one pydantic error."""
    loc = tuple(error.get("loc", ()))
    source = str(loc[0]) if loc else "body"
    field = _field_of(loc)
    label = area.labels.get(field, field)
    name = f"{label}（{field}）" if label != field else field
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("enum", "literal_error", "string_pattern_mismatch"):
        value = _sent_value(request, source, field)
        if "\x00" in value:
            return field, f"{name}含有空字符（\\x00）：请删去后重试。"
        if field in area.choices:
            return field, area.choices[field](value)
        if kind == "string_pattern_mismatch":
            return field, f"{name}「{value}」的格式不对：请按接口文档填写。"
        return field, f"{name}「{value}」无效：请填写 {_expected(ctx)}。"
    if kind == "missing":
        return field, f"请填写{name}。"
    if kind.startswith("int_"):
        return field, f"{name}应为整数，如 1。"
    if kind.startswith(("float_", "decimal_")):
        return field, f"{name}应为数字，如 12.5。"
    if kind.startswith("bool_"):
        return field, f"{name}应为 true 或 false。"
    if kind.startswith("date"):
        return field, f"{name}应为日期，格式如 2026-05-01。"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {"greater_than_equal": "不小于", "greater_than": "大于"}.get(kind, "不大于")
        return field, f"{name}应{word} {bound}。"
    if kind == "string_too_long":
        return field, f"{name}不能超过 {ctx.get('max_length')} 个字。"
    if kind == "string_type":
        return field, f"{name}应为文字。"
    if kind in ("list_type", "tuple_type"):
        return field, f'{name}应为列表，如 ["…"]。'
    if kind == "json_invalid":
        return "body", MSG_JSON
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if field in ("body", "payload") or (source == "body" and len(loc) <= 2):
            return "body", MSG_OBJECT
        return field, f"{name}应为 JSON 对象。"
    return field, f"{name}的值不符合接口文档的要求：请按 /api/v1/docs 中的说明填写。"


def on_validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI):
    area = _area(request)
    detail = []
    seen = set()
    for error in exc.errors:
        field, message = _message(request, area, error)
        if (field, message) in seen:
            continue  # an Optional[...] union repeats the same complaint once per branch
        seen.add((field, message))
        detail.append({"field": field, "label": area.labels.get(field, field), "message": message})
    detail = [FieldErrorOut(**d).model_dump() for d in detail]
    return api.create_response(request, {"detail": detail}, status=422)


def on_authentication_error(request: HttpRequest, exc: AuthenticationError, api: NinjaAPI):
    message = MSG_BAD_TOKEN if isinstance(exc, InvalidToken) else MSG_UNAUTHENTICATED
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def on_http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI):
    if exc.status_code == 400:
        # ninja's one 400, "Cannot parse request body": a body that is not JSON is a 422 here.
        return api.create_response(
            request, field_errors({"body": "请求体"}, {"body": [MSG_JSON]}), status=422
        )
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


def on_not_found(request: HttpRequest, exc: Http404, api: NinjaAPI):
    """Our scoping helpers raise Http404 with a Chinese message; anything else gets NOT_FOUND."""
    message = str(exc)
    if not any("\u4e00" <= ch <= "\u9fff" for ch in message):
        message = NOT_FOUND
    return api.create_response(request, {"detail": message}, status=404)


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API (they replace ninja's English defaults)."""
    for exc_class, handler in (
        (ValidationError, on_validation_error),
        (AuthenticationError, on_authentication_error),
        (HttpError, on_http_error),
        (Http404, on_not_found),
    ):
        api.add_exception_handler(exc_class, lambda r, e, h=handler: h(r, e, api))


@csrf_exempt  # it changes nothing; a POST must get the same JSON 404, not the CSRF page
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every path under /api/v1/ that no operation matches: a JSON 404, also with DEBUG on
    (Django would otherwise answer its HTML debug page or the site's 404 page)."""
    return JsonResponse(
        {"detail": MSG_NO_PATH}, status=404, json_dumps_params={"ensure_ascii": False}
    )
