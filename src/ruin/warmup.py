"""What a scenario's first run compiles, step by step: the compile-progress interface.

On a machine whose numba cache is empty, a scenario's first run compiles its kernels first
(seconds to a minute each on a small machine). :func:`steps` lists them for a scenario, in
the order a run needs them, each with a label a person can read ("account kernel
(Bernoulli, fractional stakes)") and a callable that compiles it (a tiny run through the
same code path, so the same kernel and signature are compiled); calling a step whose kernels
are loaded already does nothing. :func:`is_warm` says whether every step's kernels are
compiled in this process or waiting in numba's on-disk cache (loading a cached kernel takes
a fraction of a second), so a page can skip the progress display when nothing compiles::

    from ruin import warmup

    todo = warmup.steps(scenario)
    for i, step in enumerate(todo):
        show(f"Compiling {step.label} ({i + 1} of {len(todo)})")
        step()

Nothing here knows a user interface (the app's ``ui/`` does the display).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .params import Scenario

__all__ = ["Step", "steps", "is_warm", "lanes_step", "catalog", "compile_all"]

#: Paths and trades of the tiny runs that compile a scenario's kernels.
_TINY_PATHS = 64
_TINY_TRADES = 8
#: Equity curves the tiny run records (the app records curves for its charts).
_TINY_RECORD = 2


@dataclass(frozen=True)
class Step:
    """One compile step: ``label`` (readable), ``kernels`` (a callable returning the numba
    dispatchers this step compiles) and ``compile`` (compiles them, by a tiny run).
    Calling the step compiles unless its kernels are loaded already."""

    label: str
    kernels: Callable[[], Sequence[Any]]
    compile: Callable[[], None]

    def loaded(self) -> bool:
        """Whether every kernel of the step is compiled or loaded in this process."""
        return all(bool(d.overloads) for d in self.kernels())

    def is_warm(self) -> bool:
        """Whether every kernel of the step is loaded or in the on-disk cache."""
        from .engine.kernels import dispatcher_warm

        return all(dispatcher_warm(d) for d in self.kernels())

    def __call__(self) -> None:
        if not self.loaded():
            self.compile()


def _tiny(scenario: Scenario) -> Scenario:
    account = scenario.account
    trades = max(1, min(account.trades, _TINY_TRADES))
    return dataclasses.replace(
        scenario,
        paths=_TINY_PATHS,
        account=dataclasses.replace(account, trades=trades),
    )


def _simulate(scenario: Scenario, record: int) -> Callable[[], None]:
    def run() -> None:
        from .simulate import simulate

        simulate(scenario, record=record, threads=1)

    return run


def _model_name(model: Any) -> str:
    name = type(model).__name__
    if name == "Bootstrap":
        return f"{model.method} bootstrap"
    return name


def _plan(model: Any, scenario: Scenario):
    from .outcomes import iid_plan

    s, a = scenario.sizing, scenario.account
    return iid_plan(
        model, rule=s.rule, risk=s.risk, ruin_level=a.ruin_level, goal=a.goal, trades=a.trades
    )


def _chunk_work(scenario: Scenario) -> int:
    from .engine.driver import DEFAULT_CHUNK

    return min(scenario.paths, DEFAULT_CHUNK) * scenario.account.trades


def _iid_kernels(model: Any, scenario: Scenario, record: bool) -> Callable[[], list[Any]]:
    def kernels() -> list[Any]:
        from .engine.kernels import kernel, lanes_ready, record_kernel

        plan = _plan(model, scenario)
        if record:
            return [record_kernel(plan.model, plan.fractional)]
        lanes = plan.model == 0 and lanes_ready(plan.fractional)
        return [kernel(plan.model, plan.fractional, lanes)]

    return kernels


def lanes_step(fractional: bool) -> Step:
    """The two-point lanes kernel (16 paths side by side) for a sizing rule: what big
    Bernoulli runs (and the leveraged model's exact-exit runs) use once it is compiled."""

    def kernels() -> list[Any]:
        from .engine.kernels import kernel

        return [kernel(0, bool(fractional), True)]

    def run() -> None:
        import numpy as np

        from .engine.driver import PATH_OUTPUTS
        from .engine.kernels import lanes_ready, run_iid
        from .engine.streams import TRADES, stream_keys
        from .outcomes import Bernoulli, iid_plan

        plan = iid_plan(
            Bernoulli(win_rate=0.5, payoff=1.0),
            rule="fractional" if fractional else "fixed",
            risk=0.01,
            ruin_level=0.5,
            goal=None,
            trades=_TINY_TRADES,
        )
        outputs = {name: np.empty(_TINY_PATHS, dt) for name, dt in PATH_OUTPUTS}
        rec = np.empty((0, plan.n_trades + 1))
        keys = (stream_keys(1, TRADES),)  # the argument types of a real run
        run_iid(plan, keys, 0, _TINY_PATHS, outputs, rec, lanes=True)
        lanes_ready(plan.fractional)

    stakes = "fractional" if fractional else "fixed"
    return Step(f"fast account kernel (Bernoulli, {stakes} stakes, 16 lanes)", kernels, run)


def _market_kernels(scenario: Scenario, record: bool) -> tuple[str, Callable[[], list[Any]]]:
    from .market.plan import plan_market
    from .market.run import lanes_apply

    s, a = scenario.sizing, scenario.account
    plan = plan_market(
        scenario.market,
        rule=s.rule,
        risk=s.risk,
        ruin_level=a.ruin_level,
        goal=a.goal,
        trades=a.trades,
    )
    if plan.two_point is not None and scenario.rules is not None:
        from .engine.rules import run_rule_paths

        return "exact exits (account rules walk)", lambda: [run_rule_paths]
    if plan.two_point is not None:
        from .engine.kernels import kernel, lanes_ready, record_kernel

        two = plan.two_point.iid
        if record:
            return "exact exits (engine kernel)", lambda: [record_kernel(two.model, two.fractional)]
        return "exact exits (engine kernel)", lambda: [
            kernel(two.model, two.fractional, lanes_ready(two.fractional))
        ]
    if plan.exact:
        from .market.kernels.exact import exact_kernel

        return "exact exits", lambda: [exact_kernel]
    if lanes_apply(plan) and not record and scenario.rules is None:
        from .market.kernels.lanes import lanes_kernel

        return "price paths (16 lanes)", lambda: [lanes_kernel]
    if plan.kernel.positions == 1:
        from .market.kernels.single import single_kernel

        return "price paths (one position)", lambda: [single_kernel]
    from .market.kernels.portfolio import portfolio_kernel

    return "price paths (portfolio)", lambda: [portfolio_kernel]


def _theory_step(scenario: Scenario, tiny: Scenario) -> Step | None:
    """The exact drawdown lattice of :func:`ruin.exact.theory` (i.i.d. models only)."""
    if scenario.market is not None or scenario.behaviour is not None:
        return None
    name = type(scenario.model).__name__
    if name == "Bootstrap" and scenario.model.method == "block":
        return None
    chain = name == "Bernoulli" and scenario.sizing.rule == "fractional"

    def kernels() -> list[Any]:
        from .exact import drawdown

        return [drawdown._dd_chain_fractional if chain else drawdown._dd_joint_lattice]

    def run() -> None:
        from .exact import theory

        theory(tiny)

    return Step("exact drawdown odds (theory table)", kernels, run)


def steps(
    scenario: Scenario, *, record: bool = True, theory: bool = True, fast: bool = False
) -> list[Step]:
    """The compile steps of ``scenario``'s first run, in the order the run needs them: the
    kernel of its paths, the kernel that records equity curves for charts (``record``) and
    the exact drawdown lattice of the theory table (``theory``). A Bernoulli run of fewer
    than :data:`ruin.engine.kernels.LANES_MIN_WORK` path-trades per chunk walks its paths
    one by one until the 16-lane kernel is compiled; ``fast`` (or a bigger run) adds the
    step that compiles it."""
    tiny = _tiny(scenario)
    rule = "fractional stakes" if scenario.sizing.rule == "fractional" else "fixed stakes"
    out: list[Step] = []
    if scenario.market is not None:
        if fast:  # exact exits without costs run on the engine's two-point kernel
            out.append(lanes_step(scenario.sizing.rule == "fractional"))
        label, kernels = _market_kernels(scenario, record=False)
        out.append(Step(f"leveraged model: {label}", kernels, _simulate(tiny, 0)))
        if record:
            label, kernels = _market_kernels(scenario, record=True)
            out.append(Step(f"recorded price paths: {label}", kernels, _simulate(tiny, 2)))
        return out
    model = scenario.model
    if scenario.behaviour is not None:
        if scenario.behaviour.has_state:

            def behaviour_kernel() -> list[Any]:
                from .behaviour.kernel import run_behaviour

                return [run_behaviour]

            out.append(
                Step("account kernel (behaviour rules)", behaviour_kernel, _simulate(tiny, 0))
            )
            if record:
                out.append(
                    Step("recorded paths (behaviour rules)", behaviour_kernel, _simulate(tiny, 2))
                )
            return out
        if scenario.behaviour.has_exit_rule:
            from .behaviour.exits import exit_rule_model

            model = exit_rule_model(scenario.model, scenario.behaviour)
    if scenario.rules is not None:  # account rules: their own walk, charts included

        def rules_kernel() -> list[Any]:
            from .engine.rules import run_rule_paths

            return [run_rule_paths]

        out.append(Step("account kernel (account rules)", rules_kernel, _simulate(tiny, 0)))
        if record:
            out.append(
                Step("recorded paths (account rules)", rules_kernel, _simulate(tiny, _TINY_RECORD))
            )
        return out
    name = _model_name(model)
    from .engine.kernels import LANES_MIN_WORK

    if isinstance_two_point(model) and (fast or _chunk_work(scenario) >= LANES_MIN_WORK):
        out.append(lanes_step(scenario.sizing.rule == "fractional"))
    out.append(
        Step(
            f"account kernel ({name}, {rule})",
            _iid_kernels(model, scenario, record=False),
            _simulate(tiny, 0),
        )
    )
    if record:
        out.append(
            Step(
                f"recorded paths for charts ({name})",
                _iid_kernels(model, scenario, record=True),
                _simulate(tiny, _TINY_RECORD),
            )
        )
    if theory:
        step = _theory_step(scenario, tiny)
        if step is not None:
            out.append(step)
    return out


def is_warm(
    scenario: Scenario, *, record: bool = True, theory: bool = True, fast: bool = False
) -> bool:
    """Whether ``scenario``'s first run compiles nothing (every kernel loaded or cached)."""
    return all(step.is_warm() for step in steps(scenario, record=record, theory=theory, fast=fast))


def isinstance_two_point(model: Any) -> bool:
    return type(model).__name__ == "Bernoulli"


# --------------------------------------------------------------------------- every kernel


def catalog() -> list[Step]:
    """Every compile step the bundled presets and lessons need (each run and variant, with
    either sizing rule, charts and theory table included), plus both 16-lane kernels, the
    leveraged price-path lanes and the Monte Carlo of the liquidation odds:
    everything the app's presets and lessons can ask for, each step once. Heaviest first
    (leveraged portfolio and price-path kernels, then behaviour rules, then the rest), so
    that :func:`compile_all` spreads them evenly over its processes. Listing compiles
    nothing."""
    from .studies.scenarios import list_scenarios

    seen: dict[tuple[str, tuple[int, ...]], Step] = {}
    for rule in ("fractional", "fixed"):
        lanes = lanes_step(rule == "fractional")
        seen.setdefault((lanes.label, _ids(lanes)), lanes)
        for sf in list_scenarios():
            runs = [sf.build()] + [sf.build(variant=name) for name, _ in sf.variants]
            for sc in runs:
                sc = dataclasses.replace(sc, sizing=dataclasses.replace(sc.sizing, rule=rule))
                for step in steps(sc):
                    seen.setdefault((step.label, _ids(step)), step)
    for step in [*_price_lanes_steps(), _odds_step()]:
        seen.setdefault((step.label, _ids(step)), step)
    order = ("price paths (portfolio)", "price paths", "leveraged", "account kernel (behaviour")
    return sorted(
        seen.values(),
        key=lambda s: next((i for i, p in enumerate(order) if p in s.label), len(order)),
    )


def _price_lanes_steps() -> list[Step]:
    """The leveraged price-path lanes (fat tails, no funding, no time stop: the CLI's and
    the page's own leveraged runs; the presets all pay funding or stop on time)."""
    from .config import build_scenario

    flat = {
        "win_rate": 0.45,
        "risk": 0.01,
        "leverage": 10,
        "stop": 0.02,
        "take_profit": 0.04,
        "volatility": 0.035,
        "tails": "t:4",
        "garch": True,
        "jumps": True,
    }
    return steps(build_scenario(flat), record=False)  # one kernel for either sizing rule


def _odds_step() -> Step:
    """The Monte Carlo of ``ruin odds`` and the app's liquidation-odds check."""

    def kernels() -> list[Any]:
        from .odds import _passage_kernel

        return [_passage_kernel]

    def run() -> None:
        from .odds import simulate_passage

        simulate_passage(-0.1, 0.1, 0.0, 0.5, 1.0, n_steps=4, paths=_TINY_PATHS, seed=1)

    return Step("liquidation odds (Monte Carlo passage)", kernels, run)


@functools.lru_cache(maxsize=1)
def _worker_catalog() -> list[Step]:
    return catalog()


def _ids(step: Step) -> tuple[int, ...]:
    return tuple(sorted(id(d) for d in step.kernels()))


def _compile_catalog_steps(indices: tuple[int, ...]) -> list[tuple[str, float, int]]:
    """Run ``catalog()[i]`` for each index, in order, in this process (a worker of
    :func:`compile_all`): ``(label, seconds, numba functions compiled)`` per step."""
    import time

    from numba.core import event

    out = []
    for index in indices:
        step = _worker_catalog()[index]
        t0 = time.perf_counter()
        with event.install_recorder("numba:compile") as rec:
            step()
        compiled = sum(1 for _, ev in rec.buffer if ev.is_start)
        out.append((step.label, time.perf_counter() - t0, compiled))
    return out


def _groups(todo: Sequence[tuple[int, Step]]) -> list[tuple[int, ...]]:
    """Steps that share a kernel run one after another in one process (the second finds
    the kernel loaded), never at once in two; groups keep the catalog's heaviest-first
    order."""
    groups: list[tuple[set[int], list[int]]] = []
    for i, step in todo:
        ids, members = set(_ids(step)), [i]
        for other in [g for g in groups if g[0] & ids]:  # a step can join two groups
            groups.remove(other)
            ids |= other[0]
            members = other[1] + members
        groups.append((ids, sorted(members)))
    groups.sort(key=lambda g: g[1][0])
    return [tuple(members) for _, members in groups]


def compile_all(
    jobs: int | None = None, progress: Callable[[int, int, str, float], None] | None = None
) -> dict[str, Any]:
    """Compile every kernel of :func:`catalog` into numba's on-disk cache, ``jobs``
    processes at once (default: one per CPU), so that no later run, page or test process
    waits for a compile. Steps whose kernels are cached only load them (a fraction of a
    second each). ``progress(done, total, label, seconds)`` is called as each step
    finishes. Returns ``{"steps": n, "compiled": k, "seconds": wall}``, ``compiled``
    counting the numba functions compiled (0 when everything was cached)."""
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from ._numba_cache import clear_if_sources_changed

    clear_if_sources_changed()  # before any worker loads a kernel (ruin._numba_cache)
    t0 = time.perf_counter()
    every = catalog()
    todo = [(i, step) for i, step in enumerate(every) if not step.is_warm()]
    groups = _groups(todo)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(groups) or 1))
    done, compiled = len(every) - len(todo), 0
    if groups:
        # spawn: a fresh interpreter per worker (no forked numba or thread-pool state)
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_compile_catalog_steps, g) for g in groups]
            for fut in as_completed(futures):
                for label, seconds, count in fut.result():
                    done += 1
                    compiled += count
                    if progress is not None:
                        progress(done, len(every), label, seconds)
    return {
        "steps": len(every),
        "compiled": compiled,
        "seconds": round(time.perf_counter() - t0, 2),
    }
