"""AuditEvent moves from accounts to its own app below orgs and accounts (issue 14: no import
cycle between accounts and orgs). The table keeps its name, rows and PostgreSQL trigger; only
Django's idea of which app owns it changes (accounts 0003 drops it from accounts' state)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_audit_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="时间",
                            ),
                        ),
                        (
                            "actor_username",
                            models.CharField(blank=True, max_length=150, verbose_name="操作账号"),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("create", "新增"),
                                    ("update", "修改"),
                                    ("delete", "删除"),
                                    ("deactivate", "撤销"),
                                    ("reactivate", "恢复"),
                                    ("move", "移动"),
                                    ("login", "登录"),
                                    ("login_failed", "登录失败"),
                                    ("lockout", "账号锁定"),
                                    ("logout", "退出"),
                                    ("reveal", "查看完整个人信息"),
                                    ("export", "导出"),
                                    ("import", "导入"),
                                    ("token", "API 令牌"),
                                ],
                                max_length=20,
                                verbose_name="操作",
                            ),
                        ),
                        (
                            "object_type",
                            models.CharField(blank=True, max_length=60, verbose_name="对象类型"),
                        ),
                        (
                            "object_id",
                            models.CharField(blank=True, max_length=40, verbose_name="对象编号"),
                        ),
                        (
                            "object_repr",
                            models.CharField(blank=True, max_length=200, verbose_name="对象"),
                        ),
                        (
                            "org_path",
                            models.CharField(
                                blank=True,
                                db_index=True,
                                max_length=255,
                                verbose_name="所属组织路径",
                            ),
                        ),
                        (
                            "changes",
                            models.JSONField(blank=True, default=dict, verbose_name="变更内容"),
                        ),
                        (
                            "ip",
                            models.GenericIPAddressField(
                                blank=True, null=True, verbose_name="IP 地址"
                            ),
                        ),
                        (
                            "result",
                            models.CharField(default="ok", max_length=20, verbose_name="结果"),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="操作人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "审计日志",
                        "verbose_name_plural": "审计日志",
                        "ordering": ["-at", "-id"],
                        "db_table": "accounts_auditevent",
                        "indexes": [
                            models.Index(
                                fields=["object_type", "object_id"],
                                name="accounts_au_object__95e488_idx",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
