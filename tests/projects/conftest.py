import pytest

from tests.projects.factories import add_people, make_campaign


@pytest.fixture
def people(world):
    """The test world with a second city reviewer and the province's admin and reviewers."""
    add_people(world)
    return world


@pytest.fixture
def drive(people):
    return make_campaign(people)
