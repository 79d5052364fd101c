"""Shared fixtures: the recorded reference traces."""
from pathlib import Path

import numpy as np
import pytest

TRACES = Path(__file__).parent / "data" / "sprites_traces.npz"


@pytest.fixture(scope="session")
def traces():
    """The reference implementation's recorded traces (see shared/spec/SPRITES.md)."""
    with np.load(TRACES) as data:
        return dict(data)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: learning tests that take minutes")
