"""Public pages of online joining (no login, on a worker's phone): the join form behind a
poster's QR code, find my union, the status page, self-service transfer and the electronic card.

Every page sends Cache-Control: no-store (PI-8). Personal data travels only in POST bodies; what
a page must remember — the number just submitted, the application looked up, the verified
member — stays in the session, never in a URL (PI-7). Every form POST counts against a per-IP
limit, past which a simple human check lets a person through; ID numbers have their own daily
limit, which no check lifts (PUB-2).
"""

import time
from functools import partial

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ruhui.core import idnumber, ratelimit
from ruhui.core.context import client_ip
from ruhui.core.masking import mask_name
from ruhui.joining import selectors, services
from ruhui.joining.challenge import question_data_uri
from ruhui.joining.forms_public import FindForm, IdentityForm, JoinForm, LookupForm, TransferForm
from ruhui.joining.models import Application
from ruhui.members.models import HELD_STATUSES, Member
from ruhui.members.personal import id_hash

SESSION_SUBMITTED = "join.submitted"
SESSION_LOOKUP = "join.lookup"
SESSION_CARD = "join.card"
REMEMBER_SECONDS = 30 * 60  # a refresh within half an hour shows the page again

# The per-IP limits each form counts against (settings.RUHUI_RATELIMITS).
SUBMIT = ("submit_ip",)
LOOKUP = ("lookup_ip",)
IDENTITY = ("identity_ip",)
MOVE = ("identity_ip", "submit_ip")  # a transfer is an identity check and a submission

JOIN_TEMPLATE = "joining/public/join_form.html"
TRANSFER_TEMPLATE = "joining/public/transfer.html"
CARD_FORM_TEMPLATE = "joining/public/card_form.html"

MSG_TOO_MANY = "提交过于频繁。为确认是本人操作，请先回答下面的问题，再点提交。"
MSG_CHALLENGE_WRONG = "问题的答案不正确，或问题已过期：请回答下面的新问题后再提交。"
MSG_WAIT = "这个网络提交过于频繁，已暂停受理：请 {minutes} 分钟后再试，或到所在单位工会现场办理。"
MSG_ID_TOO_MANY = "该证件今日提交次数过多，请明天再试。"
MSG_WITHDRAWN = "申请已撤回。如需入会，可以重新提交申请。"


# --- helpers ---------------------------------------------------------------------------------


def _ip() -> str:
    return client_ip() or "unknown"


def _page(request, template, context, *, limits=(), status=200, error=""):
    """Render a public page; past a per-IP limit the form carries a human check (PUB-2)."""
    over = any(ratelimit.exceeded(name, _ip()) for name in limits)
    offer = over and not ratelimit.exceeded("challenge_ip", _ip())
    context = {
        **context,
        "challenge": _challenge() if offer else None,
        "page_error": error,
        "retention_days": settings.RUHUI_APPLICATION_RETENTION_DAYS,
        "notice_version": services.PRIVACY_NOTICE_VERSION,
    }
    return render(request, template, context, status=status)


def _wait_message() -> str:
    _limit, window = settings.RUHUI_RATELIMITS["challenge_ip"]
    return MSG_WAIT.format(minutes=max(1, -(-window // 60)))


def _challenge() -> dict:
    challenge = ratelimit.new_challenge()
    return {"token": challenge.token, "image": question_data_uri(challenge.question)}


def _gate(request, *limits) -> str:
    """Count this POST against the per-IP limits; the refusal message, or '' to go on.

    A correctly answered human check lets the request through without counting it, at most
    `challenge_ip` times a window per address: past that the address waits (PUB-2)."""
    token = request.POST.get("challenge_token", "")
    if token:
        if ratelimit.exceeded("challenge_ip", _ip()):
            return _wait_message()
        if ratelimit.challenge_passed(token, request.POST.get("challenge_answer", "")):
            ratelimit.hit("challenge_ip", _ip())
            return ""
    allowed = [ratelimit.hit(name, _ip()) for name in limits]
    if all(allowed):
        return ""
    if ratelimit.exceeded("challenge_ip", _ip()):
        return _wait_message()
    return MSG_CHALLENGE_WRONG if token else MSG_TOO_MANY


def _posted(request):
    """The POST data for a bound form (even when empty), None for a GET."""
    return request.POST if request.method == "POST" else None


def _id_key(raw: str) -> str | None:
    """The blind index of an ID number that parses, else None (garbage is not counted)."""
    try:
        return id_hash(idnumber.parse(raw).number)
    except (idnumber.IdNumberError, TypeError, ValueError):
        return None


def _remember(request, key: str, pk: int) -> None:
    request.session[key] = {"pk": pk, "at": time.time()}


def _remembered_pk(request, key: str) -> int | None:
    value = request.session.get(key) or {}
    if time.time() - value.get("at", 0) > REMEMBER_SECONDS:
        request.session.pop(key, None)
        return None
    return value.get("pk")


def _bad_link(request, token: str):
    """A generic page for an unknown token (nothing about any union), another for a retired one."""
    if services.retired_link(token):
        return _page(request, "joining/public/link_retired.html", {}, status=410)
    return _page(request, "joining/public/link_invalid.html", {}, status=404)


def _submitted(request, application: Application):
    """POST/redirect/GET: the number waits in the session, and the status page knows it too."""
    request.session[SESSION_SUBMITTED] = {"number": application.number, "kind": application.kind}
    _remember(request, SESSION_LOOKUP, application.pk)
    return redirect("join:submitted")


# --- pages -----------------------------------------------------------------------------------


@never_cache
def home(request):
    return _page(request, "joining/public/home.html", {})


@never_cache
def privacy(request):
    return _page(request, "joining/public/privacy.html", {})


@never_cache
def join_form(request, token):
    link = services.link_by_token(token)
    if link is None:
        return _bad_link(request, token)
    form = JoinForm(_posted(request))
    show = partial(_page, request, JOIN_TEMPLATE, {"link": link, "form": form}, limits=SUBMIT)
    if request.method != "POST":
        return show()
    refusal = _gate(request, *SUBMIT)
    if refusal:
        return show(status=429, error=refusal)
    form.is_valid()  # text fields only: the service validates, with the registry's messages
    id_key = _id_key(form.cleaned_data["id_number"])
    if id_key and ratelimit.exceeded("submit_id", id_key):
        return show(status=429, error=MSG_ID_TOO_MANY)
    try:
        application = services.application_submit(
            link=link, data=form.data_for_service(), consent=form.cleaned_data["consent"]
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        form.require_consent()
        return show(status=400)
    if id_key:
        ratelimit.hit("submit_id", id_key)  # the per-ID limit counts applications made
    return _submitted(request, application)


@never_cache
def submitted(request):
    """The same page for everyone who submits (PUB-3): only the number differs."""
    data = request.session.get(SESSION_SUBMITTED)
    if not data:
        return redirect("join:home")
    context = {"number": data["number"], "is_transfer": data.get("kind") == "transfer"}
    return _page(request, "joining/public/submitted.html", context)


@never_cache
def find(request):
    form = FindForm(request.GET or None)
    found = None
    if form.is_valid():
        found = selectors.find_unions(
            group=form.cleaned_data["group"],
            division=form.cleaned_data["division"],
            township=form.chosen_township(),
        )
    return _page(request, "joining/public/find.html", {"form": form, "found": found})


@never_cache
def status(request):
    form = LookupForm(_posted(request))
    show = partial(_page, request, "joining/public/status.html", {"form": form}, limits=LOOKUP)
    if request.method == "POST":
        refusal = _gate(request, *LOOKUP)
        if refusal:
            return show(status=429, error=refusal)
        form.is_valid()
        application = services.application_lookup(**form.cleaned_data)
        if application is None:
            form.add_error(None, services.MSG_NO_APPLICATION)
            return show(status=400)
        _remember(request, SESSION_LOOKUP, application.pk)
        return redirect("join:status")
    application = _looked_up(request)
    masked = mask_name(application.name) if application else ""
    return _page(
        request,
        "joining/public/status.html",
        {"form": form, "application": application, "masked_name": masked},
        limits=LOOKUP,
    )


def _looked_up(request) -> Application | None:
    pk = _remembered_pk(request, SESSION_LOOKUP)
    application = (
        Application.objects.select_related("union", "from_union", "member", "converted_to__union")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    return application


@never_cache
@require_POST
def withdraw(request):
    """Withdraw the application this session looked up: no number to type again."""
    application = _looked_up(request)
    if application is not None:
        try:
            services.application_withdraw(application=application)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, MSG_WITHDRAWN)
    return redirect("join:status")


@never_cache
@require_POST
def status_card(request):
    """Open the card of the application this session looked up, in one tap: nothing to type
    again. Only the applicant's own session gets here with an approved application (the status
    page remembered it after the number and the phone's last four digits, or after submitting);
    the request names nobody, so there is nothing to guess or count. Anything else — no lookup,
    an expired one, an application without a held membership — lands on the card page with
    nothing remembered, i.e. today's identity check."""
    member = services.card_member(_looked_up(request))
    if member is None:
        request.session.pop(SESSION_CARD, None)
    else:
        _remember(request, SESSION_CARD, member.pk)
    return redirect("join:card")


def _identity_refusal(request, form, *limits) -> str:
    """Per-IP limits, then the per-ID limit on identity checks (every attempt counts)."""
    refusal = _gate(request, *limits)
    if refusal:
        return refusal
    form.is_valid()
    id_key = _id_key(form.cleaned_data["id_number"])
    if id_key and not ratelimit.hit("identity_id", id_key):
        return MSG_ID_TOO_MANY
    return ""


@never_cache
def transfer(request, token):
    link = services.link_by_token(token)
    if link is None:
        return _bad_link(request, token)
    form = TransferForm(_posted(request))
    show = partial(_page, request, TRANSFER_TEMPLATE, {"link": link, "form": form}, limits=MOVE)
    if request.method != "POST":
        return show()
    refusal = _identity_refusal(request, form, *MOVE)
    if refusal:
        return show(status=429, error=refusal)
    if not form.require_consent():  # before the identity check: do not spend an attempt
        return show(status=400)
    member = services.identify_member(**form.identity())
    if member is None:
        form.add_error(None, services.MSG_IDENTITY)
        return show(status=400)
    try:
        application = services.transfer_request_submit(
            member=member,
            to_union=link.union,
            link=link,
            employer_name=form.cleaned_data["employer_name"],
            work_location=form.cleaned_data["work_location"],
            consent=True,
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return show(status=400)
    return _submitted(request, application)


@never_cache
def card(request):
    form = IdentityForm(_posted(request))
    show = partial(_page, request, CARD_FORM_TEMPLATE, {"form": form}, limits=IDENTITY)
    if request.method == "POST":
        refusal = _identity_refusal(request, form, *IDENTITY)
        if refusal:
            return show(status=429, error=refusal)
        member = services.identify_member(**form.identity())
        if member is None:
            form.add_error(None, services.MSG_IDENTITY)
            return show(status=400)
        _remember(request, SESSION_CARD, member.pk)
        return redirect("join:card")
    pk = _remembered_pk(request, SESSION_CARD)
    member = Member.objects.select_related("union").filter(pk=pk, status__in=HELD_STATUSES)
    member = member.first() if pk else None
    if member is None:
        return show()
    verify_url = request.build_absolute_uri(
        reverse("join:verify", args=[services.card_token(member)])
    )
    context = {
        "member": member,
        "masked_name": mask_name(member.name),
        "qr": segno.make(verify_url, error="m").svg_data_uri(scale=5, border=2),
    }
    return _page(request, "joining/public/card.html", context)


@never_cache
def verify(request, token):
    """What a service station sees when it scans a card: valid or not, union, masked name."""
    member = services.card_verify(token)
    context = {"member": member, "masked_name": mask_name(member.name) if member else ""}
    return _page(request, "joining/public/verify.html", context)
