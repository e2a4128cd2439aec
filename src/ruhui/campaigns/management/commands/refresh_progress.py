"""ruhui refresh_progress [--campaign SLUG]: compute campaigns' progress figures now."""

from django.core.management.base import BaseCommand, CommandError

from ruhui.campaigns.models import Campaign
from ruhui.campaigns.services import progress_run


class Command(BaseCommand):
    help = "从会员实名制名册等记录重新统计集中行动的进度数字（默认全部行动）。"

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="只统计这个编号的行动")

    def handle(self, *args, campaign: str | None = None, **options):
        campaigns = Campaign.objects.order_by("slug")
        if campaign:
            campaigns = campaigns.filter(slug=campaign)
            if not campaigns.exists():
                raise CommandError(f"没有编号为「{campaign}」的集中行动。")
        for item in campaigns:
            result = progress_run(item.pk)
            self.stdout.write(
                f"{item.slug}：{result['units']} 个单位、{result['tallies']} 条分项，"
                f"用时 {result['seconds']} 秒。"
            )
