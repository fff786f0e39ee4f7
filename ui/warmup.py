"""Before a scenario's first run on a fresh machine: compile its kernels with progress shown.

numba compiles each kernel on first use (tens of seconds on a small machine, once; later
runs load it from the disk cache). Without this the page would sit still meanwhile; here it
says which part compiles and how far along it is (:mod:`ruin.warmup`).
"""

from __future__ import annotations

import time

import streamlit as st

from ruin import Scenario, warmup


def compile_with_progress(scenario: Scenario) -> None:
    """Compile (or load) what ``scenario``'s run needs, showing each step; nothing shows
    when every kernel is loaded in this server process already.

    The box has a place on every run, shown or not (:mod:`ui.places`): without it, the run
    after the one that showed the box had every later element one place up, and the browser
    rebuilt all of them, on the first slider move of every server process's first session
    and on the first run of a preset that needed a kernel not loaded yet."""
    slot = st.empty()
    todo = [step for step in warmup.steps(scenario) if not step.loaded()]
    if not todo:
        return
    compiling = not all(step.is_warm() for step in todo)
    title = "Compiling the simulator (first run on this machine)" if compiling else "Loading"
    with slot.container(), st.status(f"{title}…", expanded=compiling) as status:
        bar = st.progress(0.0)
        t_all = time.perf_counter()
        for i, step in enumerate(todo):
            bar.progress(i / len(todo), text=f"Step {i + 1} of {len(todo)}: {step.label}")
            t0 = time.perf_counter()
            step()
            if compiling:
                st.write(f"✓ {step.label} — {time.perf_counter() - t0:.0f} s")
        bar.progress(1.0, text="Ready")
        took = time.perf_counter() - t_all
        status.update(label=f"Simulator ready ({took:.0f} s)", state="complete", expanded=False)
