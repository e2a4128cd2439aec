"""`ruhui db_worker`: django_tasks_db's worker (RUHUI_TASK_BACKEND=db), working on every queue
by default (`--queue-name '*'`), since tasks go to the queues of settings.RUHUI_TASK_QUEUES; the
library's default, "default" only, would leave imports and exports queued for ever. Listed before
django_tasks_db in INSTALLED_APPS, so this command is the one `ruhui db_worker` runs."""

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand


class Command(DBWorkerCommand):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")
