"""The settings of the `ruhui rqworker` processes that tests/jobs/test_rq_workers.py starts:
the project's, plus the probe job kind they run."""

from ruhui.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.jobs.rq_probe.RQProbeConfig"]  # noqa: F405
