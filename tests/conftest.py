import pytest

from exchanges.seed import load_seed


@pytest.fixture
def seed(db):
    """The reference data: the 28 July 2025 article and the exchanges CSVs."""
    load_seed()
