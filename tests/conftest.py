import os

import numpy as np
import pytest
from hypothesis import settings

# hypothesis: the same examples on every run (a failure reproduces), and the blob that
# replays a failing example printed with it.
settings.register_profile("ruin", derandomize=True, print_blob=True)
settings.load_profile("ruin")

# numpy floating-point problems are errors in tests (see also filterwarnings in pyproject).
np.seterr(all="raise", under="ignore")


@pytest.fixture(autouse=True)
def _np_errors():
    with np.errstate(all="raise", under="ignore"):
        yield


def pytest_configure(config):
    """Check numba's cache against the sources once, in the controlling process, before any
    pytest-xdist worker starts: workers then find the stamp current and never delete the
    kernels another worker has just cached (``ruin._numba_cache``)."""
    if not hasattr(config, "workerinput"):
        from ruin._numba_cache import clear_if_sources_changed

        clear_if_sources_changed()


def pytest_report_header(config):
    return f"ruin tests; RUIN_REQUIRE_BROWSER={os.environ.get('RUIN_REQUIRE_BROWSER', '0')}"


@pytest.fixture(autouse=True)
def _restore_main_file():
    """AppTest points ``__main__.__file__`` at the page it ran; restore it afterwards, or
    later worker processes started with "spawn" (sweeps) would re-run that page."""
    import sys

    main = sys.modules["__main__"]
    had = hasattr(main, "__file__")
    old = getattr(main, "__file__", None)
    yield
    if had:
        main.__file__ = old
    elif hasattr(main, "__file__"):
        del main.__file__
