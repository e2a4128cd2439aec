"""The figures the security and reliability tests prove, printed at the end of every run.

A test asks for the `figure` fixture and calls it with a name and the measured text, e.g.
``figure("jurisdiction walk", "412 routes × 3 users, 0 violations")``. The lines are printed in
the terminal summary (so they show with -q and without -s, on SQLite and on PostgreSQL), in the
order the tests ran; docs/security.md copies them into its table.
"""

import pytest

FIGURES_KEY = pytest.StashKey[list]()
#: Figures noted by helpers that have no fixture at hand (one pytest session per process).
_NOTED: list[tuple[str, str]] = []


def record(config, name: str, text: str) -> None:
    config.stash.setdefault(FIGURES_KEY, []).append((name, text))


def note(name: str, text: str) -> None:
    """The same as the `figure` fixture, for module-level helpers and fixtures."""
    _NOTED.append((name, text))


@pytest.fixture
def figure(request):
    def add(name: str, text: str) -> None:
        record(request.config, name, text)

    return add


def terminal_summary(terminalreporter, config) -> None:
    lines = config.stash.get(FIGURES_KEY, []) + _NOTED
    if not lines:
        return
    terminalreporter.section("figures")
    for name, text in lines:
        terminalreporter.write_line(f"{name}: {text}")
