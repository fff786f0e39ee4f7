"""Print the README's performance table from the committed results files (nothing else).

    .venv/bin/python benchmarks/readme_table.py

Every number it prints is read from ``benchmarks/results/*.json``, with the machine, load
and commit each file records; the README's table is this output, pasted.
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.is_file() else None


def _machine(meta: dict | None) -> str:
    if not meta:
        return "machine not recorded"
    flags = "/".join(meta.get("cpu_vector_flags", [])) or "no AVX2"
    load = meta.get("load_average_1min_start")
    load_end = meta.get("load_average_1min_end")
    return (
        f"{meta.get('cpu', '?')} ({flags}), {meta.get('cpus_available', '?')} CPUs, load "
        f"{load} → {load_end}, commit {str(meta.get('commit', ''))[:7]}, {meta.get('date', '')}"
    )


def _s(d: dict) -> str:
    n = d["n"] if "n" in d else len(d["repeats"])
    return f"{d['median']:.2f} s (min {d['min']:.2f}, max {d['max']:.2f}, n={n})"


def rows() -> list[str]:
    out = ["| benchmark | measured | target | file, machine |", "|---|---|---|---|"]
    st = _load("startup.json")
    if st:
        where = f"`startup.json`: {_machine(st['machine'])}"
        c, w = st["cold"], st["warm"]
        out.append(
            f"| cold `ruin simulate` Bernoulli 10⁴ × 500, empty numba cache | wall "
            f"{_s(c['cold_bernoulli_cli']['wall'])}; CPU {_s(c['cold_bernoulli_cli']['cpu'])}"
            f" | ≤ 15 s | {where} |"
        )
        out.append(
            f"| then the first leveraged run (t:4 + GARCH + jumps) | wall "
            f"{_s(c['cold_leveraged_cli_after']['wall'])}; CPU "
            f"{_s(c['cold_leveraged_cli_after']['cpu'])} | — | {where} |"
        )
        out.append(
            f"| cold: every kernel of the app's default page | wall "
            f"{_s(c['cold_default_page']['wall'])}; CPU {_s(c['cold_default_page']['cpu'])}"
            f" | ≤ 60 s | {where} |"
        )
        if "cold_warmup_all" in c:
            out.append(
                f"| cold `ruin warmup`: every kernel of the presets and lessons (one process "
                f"per CPU) | wall {_s(c['cold_warmup_all']['wall'])}; CPU "
                f"{_s(c['cold_warmup_all']['cpu'])} | — | {where} |"
            )
        out.append(
            f"| warm `ruin simulate` 10⁴ × 500 (whole process) | "
            f"{_s(w['warm_simulate_cli']['wall'])} | ≤ 0.7 s | {where} |"
        )
        if "floor_numba_cached_call" in w:
            parts = w["warm_simulate_parts"]
            out.append(
                f"| floor under it: `import numba` and one trivial cached `njit` call (whole "
                f"process) | {_s(w['floor_numba_cached_call']['wall'])}; `import numpy` alone "
                f"{_s(w['floor_numpy']['wall'])} | — | {where} |"
            )
            out.append(
                f"| warm simulate in one process, by part (median) | imports "
                f"{parts['import_s']['median']:.2f} s, simulation (kernels loaded from the "
                f"cache) {parts['simulate_s']['median']:.2f} s, exact answers "
                f"{parts['exact_s']['median']:.2f} s | — | {where} |"
            )
        for name in ("liquidation", "size", "funding"):
            out.append(
                f"| warm `ruin {name}` (whole process) | {_s(w[f'warm_{name}_cli']['wall'])} "
                f"| ≤ 0.4 s | {where} |"
            )
    en = _load("engine.json")
    if en and "meta" in en:
        where = f"`engine.json`: {_machine(en['meta'])}"
        m = 1e6
        out.append(
            f"| account engine, Bernoulli, {en['compare_paths']:,} × {en['trades']:,}, whole "
            f"calls, best of {len(en['repeats']['engine_compare']['wall']['repeats'])} | "
            f"{en['engine_path_trades_per_s'] / m:,.0f} M path-trades/s wall; per CPU-second "
            f"engine {en['engine_path_trades_per_cpu_s'] / m:,.0f} M vs naive numpy "
            f"{en['naive_path_trades_per_cpu_s'] / m:.1f} M: **{en['ratio_per_cpu_second']:.0f}×**"
            f"; engine on 1 thread vs naive: "
            f"**{en['ratio_engine_1thread_over_naive_per_cpu_second']:.0f}×** per CPU-second "
            f"| ≥ 60× per core | {where} |"
        )
        out.append(
            f"| account engine {en['big_paths']:,} × {en['trades']:,} | "
            f"{en['big_engine_wall_seconds']:.2f} s wall, traced peak "
            f"{en['engine_traced_peak_mib']:.0f} MiB, RSS {en['maxrss_end_mib']:.0f} MiB "
            f"| ≤ 1 s, < 1 GB | {where} |"
        )
    mk = _load("market.json")
    if mk and "meta" in mk:
        where = f"`market.json`: {_machine(mk['meta'])}"
        for key, r in mk["cases"].items():
            out.append(
                f"| leveraged model `{key}` | {r['path_trades_per_second'] / 1e6:.1f} M "
                f"path-trades/s wall, {r['path_trades_per_cpu_second'] / 1e6:.1f} M per "
                f"CPU-second (best of {len(r['wall']['repeats'])}) | — | {where} |"
            )
        if "naive_wide" in mk:
            nv = mk["naive_wide"]
            out.append(
                f"| naive numpy price paths, wide case ({nv['steps_per_day']} steps a day) | "
                f"{nv['path_trades_per_cpu_second'] / 1e6:.3f} M path-trades per CPU-second; "
                f"engine / naive **{mk['wide_over_naive_per_cpu_second']:.0f}×** per "
                f"CPU-second | ≥ 20× | {where} |"
            )
    sw = _load("sweep.json")
    if sw and "meta" in sw:
        where = f"`sweep.json`: {_machine(sw['meta'])}"
        runs = sw["scaling"]["runs"]
        parts = ", ".join(f"{k} {v['cells_per_s']:.0f} cells/s" for k, v in runs.items())
        out.append(
            f"| sweep, {sw['scaling']['cells']} cells of 10⁴ × 250 | {parts} | default not "
            f"slower than 1 process | {where} |"
        )
    fa = _load("fresh_app.json")
    if fa:
        where = f"`fresh_app.json`: {_machine(fa['meta'])}"
        out.append(
            f"| fresh clone: `./dev app` to the page served / every default chart drawn "
            f"(install included) | {_s(fa['page_served_s'])} / {_s(fa['first_charts_s'])} "
            f"| ≤ 90 s | {where} |"
        )
    out.extend(_class_rows())
    return out


def _class_rows() -> list[str]:
    cl = _load("class.json")
    if not cl:
        return []
    m = cl["machine"]
    where = (
        f"`class.json`: {m.get('cpu', '?')}, {m.get('cpus_available', '?')} CPUs, load "
        f"{cl['load_average_before'][0]} → {cl['load_average_after'][0]}, commit "
        f"{str(cl.get('commit', ''))[:7]}, {cl.get('date', '')}"
    )
    ws, mv, cs = cl["warm_sessions"], cl["slider_move"], cl["class_summary"]
    cpu = [x["server_cpu_s"] for x in ws["sessions"]]
    med = sorted(cpu)[len(cpu) // 2]
    floor = []
    if "floor_new_session" in cl:
        fl = cl["floor_new_session"]
        floor = [
            f"| floor: a new session on a Streamlit page holding only the headline metric and "
            f"one small chart (same server set-up, same measurement) | headline "
            f"{_s(fl['to_headline_s'])}; browser CPU {_s(fl['browser_cpu_s'])} | — | {where} |"
        ]
    return [
        f"| app, warm server: new session to headline (one tab) | {_s(ws['to_headline_s'])}; "
        f"server CPU per cached session median {med:.2f} s | ≤ 1.5 s; ≤ 0.15 s | {where} |",
        *floor,
        f"| app: slider move to new headline / every chart redrawn | {_s(mv['headline_s'])} / "
        f"{_s(mv['charts_s'])} | ≤ 0.3 s / ≤ 0.6 s | {where} |",
        f"| app: a class of {cl['settings']['pages']} tabs in one Chromium on the server's "
        f"cores, slider move to redrawn page | median of repeats "
        f"{_s(cs['move_to_ready_median_s'])}; max {_s(cs['move_to_ready_max_s'])}; every "
        f"page ready: {cs['all_ok']} | median ≤ 3 s | {where} |",
    ]


if __name__ == "__main__":
    print("\n".join(rows()))
