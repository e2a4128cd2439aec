"""`ruhui db_worker` and `ruhui rqworker` are jobs' own commands (listed before the libraries in
INSTALLED_APPS): both work on every queue of settings.RUHUI_TASK_QUEUES unless told otherwise,
so an import (queue "imports") is never left waiting for a worker of "default" only."""

from django.core.management import get_commands, load_command_class


def _command(name):
    app = get_commands()[name]
    assert app == "ruhui.jobs", f"`ruhui {name}` is {app}'s, not jobs'"
    return load_command_class(app, name)


def test_db_worker_takes_every_queue_by_default(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(settings.RUHUI_TASK_QUEUES),
        }
    }
    parser = _command("db_worker").create_parser("ruhui", "db_worker")
    assert parser.parse_args([]).queue_name == "*"
    assert parser.parse_args(["--queue-name", "imports"]).queue_name == "imports"


def test_rqworker_takes_every_queue_with_the_task_job_class_and_the_scheduler(
    settings, monkeypatch
):
    from django_rq.management.commands import rqworker

    seen = {}

    def fake_handle(self, *queues, **options):
        seen.update(queues=queues, scheduler=options["with_scheduler"])

    monkeypatch.setattr(rqworker.Command, "handle", fake_handle)
    command = _command("rqworker")
    options = vars(command.create_parser("ruhui", "rqworker").parse_args([]))
    command.handle(**options)
    assert seen == {"queues": tuple(settings.RUHUI_TASK_QUEUES), "scheduler": True}
    assert settings.RQ["JOB_CLASS"] == "django_tasks_rq.backend.Job"
    options = vars(
        command.create_parser("ruhui", "rqworker").parse_args(["imports", "--without-scheduler"])
    )
    command.handle(*options.pop("args"), **options)
    assert seen == {"queues": ("imports",), "scheduler": False}
