import pytest

from tests.support.regulation import questionnaire


@pytest.fixture(autouse=True)
def _shipped_questionnaire(db):
    questionnaire()
