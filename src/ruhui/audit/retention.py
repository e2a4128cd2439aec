"""The audit log's retention purge (LOG-3): whole yearly partitions of the audit table whose
year ended more than the retention period ago are detached and dropped (core.partitions), never
deleted row by row; each dropped year is itself audited with its row count.

The period is settings.RUHUI_AUDIT_RETENTION_DAYS, at least 180 days: the Cybersecurity Law
(网络安全法 第二十一条) requires network logs to be kept for no less than six months."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ruhui.audit.models import AuditEvent
from ruhui.audit.services import audit_record
from ruhui.core import partitions

#: The legal minimum (网络安全法 第二十一条: 不少于六个月).
MINIMUM_DAYS = 180

MSG_TOO_SHORT = (
    "审计日志保存期限（RUHUI_AUDIT_RETENTION_DAYS 或 --days）为 {days} 天，少于法定的 180 天"
    "（网络安全法第二十一条：网络日志留存不少于六个月）。请改为 180 或更大的天数。"
)


def retention_days(days: int | None = None) -> int:
    """The retention period to apply; a shorter one than the legal minimum is refused."""
    days = settings.RUHUI_AUDIT_RETENTION_DAYS if days is None else days
    if days < MINIMUM_DAYS:
        raise ValueError(MSG_TOO_SHORT.format(days=days))
    return days


def expired_before(days: int | None = None, now: datetime.datetime | None = None):
    """The moment before which every audit event may go."""
    return (now or timezone.now()) - datetime.timedelta(days=retention_days(days))


def purge_expired_years(
    *, days: int | None = None, now: datetime.datetime | None = None
) -> list[partitions.Partition]:
    """Drop the audit log's yearly partitions that lie entirely before the retention period, in
    one transaction together with one audit event per year dropped. PostgreSQL only (on SQLite
    the table is not partitioned: nothing happens). The partitions dropped."""
    if connection.vendor != "postgresql":
        return []
    days = retention_days(days)
    cutoff = expired_before(days, now)
    table = AuditEvent._meta.db_table
    with transaction.atomic():
        dropped = partitions.drop_partitions_before(table, cutoff)
        for part in dropped:
            audit_record(
                actor=None,
                username="（保存期限清理）",
                action=AuditEvent.Action.DELETE,
                object_repr=f"{part.year} 年审计日志（整个分区 {part.name}）",
                org_path="",
                changes={
                    "清理年份": [None, part.year],
                    "删除条数": [None, part.rows],
                    "保存期限（天）": [None, days],
                },
            )
    return dropped
