"""The figures follow the records: a committed change queues the campaigns it can move (one
signal per transaction, none on rollback), and the task recomputes them."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction

from ruhui.campaigns.models import Campaign, UnitFigure
from ruhui.core.changes import note_change
from tests.members.factories import join

D = datetime.date


def test_one_signal_per_transaction_with_the_earliest_date(
    db, signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        note_change(D(2019, 6, 1))
        note_change(D(2019, 5, 1))
        note_change(D(2019, 7, 1))
    assert signals == [D(2019, 5, 1)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        note_change(D(2019, 6, 1))
        note_change(None)  # anything may have changed
    assert signals[-1] is None


def test_nothing_is_sent_for_a_rolled_back_change(db, signals, django_capture_on_commit_callbacks):
    def failing():
        with transaction.atomic():
            note_change(D(2019, 6, 1))
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            failing()
        with transaction.atomic():
            note_change(D(2019, 8, 1))
    assert signals == [D(2019, 8, 1)]


def test_a_join_recomputes_the_campaign(world, campaign, django_capture_on_commit_callbacks):
    """The test task backend runs the queued computation at once."""
    Campaign.objects.filter(pk=campaign.pk).update(progress_queued=False)  # as after its first run
    with django_capture_on_commit_callbacks(execute=True):
        join(world.county_admin, world.county_trade, on=D(2019, 5, 1), is_migrant_worker=True)
    campaign.refresh_from_db()
    assert not campaign.progress_queued and campaign.progress_at is not None
    assert UnitFigure.objects.get(campaign=campaign, unit=world.county).new_members == 1


def test_a_change_after_the_campaign_leaves_it_alone(
    world, campaign, django_capture_on_commit_callbacks
):
    Campaign.objects.filter(pk=campaign.pk).update(progress_at=None, progress_queued=False)
    with django_capture_on_commit_callbacks(execute=True):
        join(world.county_admin, world.county_trade, on=D(2020, 2, 1), is_migrant_worker=True)
    campaign.refresh_from_db()
    assert campaign.progress_at is None and not campaign.progress_queued


def test_the_command_recomputes(world, campaign, history, capsys):
    call_command("refresh_progress", "--campaign", campaign.slug)
    assert UnitFigure.objects.get(campaign=campaign, unit=world.city).new_members == 4
    assert "pds-2019：" in capsys.readouterr().out


def test_a_dashboard_waiting_for_its_figures_polls_and_reloads_when_they_are_in(
    world, campaign, as_user, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from ruhui.campaigns import services

    client = as_user(world.county_admin)
    state = reverse("campaigns:progress_state", args=[campaign.slug])
    # Queued (the task has not run yet): the page says so and polls the state.
    services.progress_request([campaign.pk], force=True)  # its task waits for the commit
    campaign.refresh_from_db()
    assert campaign.progress_queued
    page = client.get(reverse("campaigns:dashboard", args=[campaign.slug])).content.decode()
    assert "正在重新统计，完成后本页自动更新" in page and f'hx-get="{state}?since=' in page
    shown = campaign.progress_at.isoformat() if campaign.progress_at else ""
    waiting = client.get(state, {"since": shown})
    assert waiting.status_code == 204 and "HX-Refresh" not in waiting
    # The computation runs: the next poll reloads the page, which no longer polls.
    services.progress_run(campaign.pk)
    done = client.get(state, {"since": shown})
    assert done.status_code == 200 and done["HX-Refresh"] == "true"
    page = client.get(reverse("campaigns:dashboard", args=[campaign.slug])).content.decode()
    assert "hx-trigger" not in page.split('class="progress-at"')[1].split("</span>")[0]
    # A page showing the current figures with nothing queued is told to stop polling.
    campaign.refresh_from_db()
    assert client.get(state, {"since": campaign.progress_at.isoformat()}).status_code == 286
    # The sibling county sees the city's drive too, and is told the same; a campaign that is
    # not there (or not theirs) answers like a missing page.
    current = {"since": campaign.progress_at.isoformat()}
    assert as_user(world.sibling_admin).get(state, current).status_code == 286
    missing = reverse("campaigns:progress_state", args=["no-such-drive"])
    assert client.get(missing).status_code == 404
