import os

import numpy as np
import pytest
from hypothesis import settings

# hypothesis: the same examples on every run (a failure reproduces), and the blob that
# replays a failing example printed with it.
settings.register_profile("ruin", derandomize=True, print_blob=True)
settings.load_profile("ruin")

# Every chart spec the page fills from a template is also built with Altair and compared
# (ui/specs.py); the browser test's server turns this off so its timings are the page's own.
os.environ.setdefault("RUIN_CHECK_SPECS", "1")

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
        _compile_before_workers(config)


def _compile_before_workers(config):
    """A whole-suite run with several xdist workers compiles every kernel of
    :func:`ruin.warmup.catalog` first, one process per worker and CPU (``ruin warmup``). Otherwise
    each worker compiled the kernels its first tests needed, and two workers often compiled
    the same one at once: on a fresh clone the suite spent about 9 of its 14 CPU-minutes in
    numba, several kernels twice. Runs of chosen files compile lazily, as before;
    ``RUIN_TEST_PRECOMPILE=0`` turns this off, ``=1`` forces it."""
    wanted = os.environ.get("RUIN_TEST_PRECOMPILE")
    workers = getattr(config.option, "numprocesses", None) or 0
    whole_suite = config.args_source is not pytest.Config.ArgsSource.ARGS
    if wanted == "0" or (wanted != "1" and not (whole_suite and workers > 1)):
        return
    import sys
    import time

    from ruin import warmup

    t0 = time.perf_counter()
    out = warmup.compile_all(jobs=max(1, min(workers, os.cpu_count() or 1)))
    print(
        f"ruin warmup: {out['compiled']} numba functions compiled for {out['steps']} steps "
        f"in {time.perf_counter() - t0:.1f} s before the workers start",
        file=sys.stderr,
    )


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
