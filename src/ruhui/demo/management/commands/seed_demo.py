from django.core.management.base import BaseCommand, CommandError

from ruhui.demo.world import (
    DEMO_MEMBERS,
    DEMO_PASSWORD,
    DEMO_USERS,
    TEST_DEMO_MEMBERS,
    DemoRefused,
    seed_demo,
)


class Command(BaseCommand):
    help = "载入演示数据（可重复执行）：平顶山市的工会组织树、演示账号和虚构的演示会员。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--members",
            type=int,
            default=None,
            help=f"会员库为空时生成的演示会员人数（默认 {DEMO_MEMBERS}，测试环境 "
            f"{TEST_DEMO_MEMBERS}；0 表示不生成）。",
        )

    def handle(self, *args, **options):
        try:
            result = seed_demo(members=options["members"])
        except DemoRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(
            self.style.SUCCESS(f"演示数据就绪：{result['organizations']} 个工会组织。")
        )
        created = result["members_created"]
        self.stdout.write(
            f"演示会员：{result['members']} 条会籍记录"
            + (f"（本次新生成 {created} 条）。" if created else "（已存在，未重复生成）。")
        )
        self.stdout.write(f"网上入会/转会申请：{result['applications']} 份。")
        self.stdout.write(
            f"企业排查：{result['enterprises']} 家企业（已建会 {result['enterprises_unionised']} 家）。"
        )
        self.stdout.write(
            "集中行动：2015 年（任务分解表取自实施方案附表）、2019 年（八大群体）"
            + ("，已建立并统计。" if result["campaigns"] else "，已存在。")
        )
        self.stdout.write(f"演示账号（初始密码均为 {DEMO_PASSWORD}，首次登录须修改）：")
        for username, full_name, _org, _role in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {full_name}")
