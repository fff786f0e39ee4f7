import os

import numpy as np
import pytest

# numpy floating-point problems are errors in tests (see also filterwarnings in pyproject).
np.seterr(all="raise", under="ignore")


@pytest.fixture(autouse=True)
def _np_errors():
    with np.errstate(all="raise", under="ignore"):
        yield


def pytest_report_header(config):
    return f"ruin tests; RUIN_REQUIRE_BROWSER={os.environ.get('RUIN_REQUIRE_BROWSER', '0')}"
