"""The base-union standard: one item per (union, item) with its evidence (issue 18)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_worker_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StandardItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "item",
                    models.CharField(
                        choices=[
                            ("has_elected_chair", "有依法选举的工会主席"),
                            ("has_committees", "有独立健全的组织机构"),
                            ("has_activity_venue", "有服务职工的活动载体"),
                            ("has_rules", "有健全完善的制度机制"),
                            ("has_own_funds", "有自主管理的工会经费"),
                            ("has_performance", "有会员满意的工作绩效"),
                            ("member_congress", "会员（代表）大会制度"),
                            ("democratic_election", "民主选举制度"),
                            ("member_review", "会员评家制度"),
                            ("affairs_open", "会务公开制度"),
                            ("funds_allocation", "经费拨缴已理顺"),
                            ("dues_collection", "会费收缴已理顺"),
                        ],
                        max_length=24,
                        verbose_name="项目",
                    ),
                ),
                ("met", models.BooleanField(default=False, verbose_name="已达标")),
                ("checked_on", models.DateField(blank=True, null=True, verbose_name="检查日期")),
                ("note", models.TextField(blank=True, verbose_name="说明")),
                ("detail", models.CharField(blank=True, max_length=100, verbose_name="方式")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "checked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="检查人",
                    ),
                ),
                (
                    "union",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="standard_items",
                        to="orgs.organization",
                        verbose_name="工会组织",
                    ),
                ),
            ],
            options={
                "verbose_name": "达标项目",
                "verbose_name_plural": "达标项目",
            },
        ),
        migrations.CreateModel(
            name="StandardEvidence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("path", models.CharField(max_length=300)),
                ("original_name", models.CharField(max_length=200)),
                ("kind", models.CharField(max_length=8)),
                ("size", models.PositiveIntegerField()),
                ("sha256", models.CharField(blank=True, max_length=64)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="orgs.standarditem",
                        verbose_name="达标项目",
                    ),
                ),
            ],
            options={
                "verbose_name": "达标佐证材料",
                "verbose_name_plural": "达标佐证材料",
                "ordering": ["uploaded_at", "pk"],
                "abstract": False,
            },
        ),
        migrations.AddConstraint(
            model_name="standarditem",
            constraint=models.UniqueConstraint(
                fields=("union", "item"), name="standard_item_once_per_union"
            ),
        ),
        migrations.AddConstraint(
            model_name="standarditem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "item__in",
                        [
                            "has_elected_chair",
                            "has_committees",
                            "has_activity_venue",
                            "has_rules",
                            "has_own_funds",
                            "has_performance",
                            "member_congress",
                            "democratic_election",
                            "member_review",
                            "affairs_open",
                            "funds_allocation",
                            "dues_collection",
                        ],
                    )
                ),
                name="standard_item_known",
            ),
        ),
    ]
