"""`ruhui rqworker`: an RQ worker for the task API (RUHUI_TASK_BACKEND=rq), on this host or a
second one. django_rq's command with our defaults: every queue of settings.RUHUI_TASK_QUEUES
(in that order) unless queues are named, the task job class (settings.RQ), and the scheduler
on, which retries after a wait need."""

from django.conf import settings
from django_rq.management.commands.rqworker import Command as RQWorkerCommand


class Command(RQWorkerCommand):
    help = "运行 RQ 后台任务进程（默认处理全部队列：imports、figures、documents、default）。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--without-scheduler",
            action="store_true",
            help="不处理定时任务（延后重试）；同一个 Redis 至少要有一个进程带调度器运行。",
        )

    def handle(self, *args, **options):
        queues = args or tuple(settings.RUHUI_TASK_QUEUES)
        options["with_scheduler"] = not options.pop("without_scheduler")
        return super().handle(*queues, **options)
