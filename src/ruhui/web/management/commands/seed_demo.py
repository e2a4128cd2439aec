from django.core.management.base import BaseCommand

from ruhui.web.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "载入演示数据（可重复执行）：平顶山市的工会组织树与演示账号。"

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"演示数据就绪：{result['organizations']} 个工会组织。")
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, _org, _role in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {full_name}")
