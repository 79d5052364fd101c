"""The results table, generated from logs/ (`python main.py results`), never typed by hand.

Per agent and distractor count: final return (mean of the last `last` epochs of each seed, then
mean +- std over seeds), the env steps used, and the env steps at which the seed-mean curve (smoothed
over `smooth` epochs) first reaches `threshold`.
"""
import json
import re
from pathlib import Path

import numpy as np

from .runs import group_runs, load_runs, stacked

BEGIN, END = "<!-- results:{} begin -->", "<!-- results:{} end -->"


class NoRuns(ValueError):
    """No runs of the requested env family under the log folder."""


def _final(run, last, budget=None):
    """Mean AverageEpRet of the run's last `last` epochs (those within `budget` env steps if given)."""
    returns = run.progress["AverageEpRet"]
    if budget is not None:
        returns = returns[run.progress["TotalEnvInteracts"] <= budget]
    return returns[-last:].mean()


def _cell(group, last, threshold, smooth, budget):
    finals = [_final(r, last) for r in group]
    steps = min(r.progress["TotalEnvInteracts"][-1] for r in group)
    xs, ys = stacked(group, window=smooth)
    reached = np.nonzero(ys.mean(0) >= threshold)[0]
    to_threshold = f"{xs[reached[0]] / 1e3:.0f}k" if len(reached) else "not reached"
    cell = f"{np.mean(finals):.2f} ± {np.std(finals):.2f} (n={len(group)}, {steps / 1e3:.0f}k"
    if steps > budget:
        at_budget = [_final(r, last, budget) for r in group]
        cell += f"; at {budget / 1e3:.0f}k: {np.mean(at_budget):.2f} ± {np.std(at_budget):.2f}"
    return cell + ")", to_threshold


def results_table(logdir="logs", envs="Sprites", last=10, threshold=35.0, smooth=5, budget=1_000_000):
    """Markdown table: one row per agent, columns v0/v1/v2 final return and steps to `threshold`.

    Runs longer than `budget` env steps also show their return at the budget, for comparison with the rest.
    """
    groups = group_runs([r for r in load_runs(logdir) if r.env_id.rsplit("-v", 1)[0] == envs])
    if not groups:
        raise NoRuns(f"no runs of {envs}-v* under {logdir!r}")
    agents = sorted({agent for agent, _ in groups})
    header = ["agent"] + [f"{envs}-v{d} return" for d in range(3)] + [f"v{d} steps to {threshold:g}" for d in range(3)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for agent in agents:
        finals, reach = [], []
        for d in range(3):
            group = groups.get((agent, f"{envs}-v{d}"))
            final, steps = _cell(group, last, threshold, smooth, budget) if group else ("—", "—")
            finals.append(final)
            reach.append(steps)
        lines.append("| " + " | ".join([agent] + finals + reach) + " |")
    note = (f"Return: mean of the last {last} epochs' AverageEpRet per seed, mean ± std over n seeds, "
            f"after the env steps in brackets (and over the last {last} epochs within {budget / 1e3:.0f}k steps "
            f"for longer runs). Steps to {threshold:g}: first epoch at which the seed-mean "
            f"curve, smoothed over {smooth} epochs, reaches it.")
    return "\n".join(lines) + "\n\n" + note + "\n"


def encoder_table(encoders="logs/encoders"):
    """Markdown table of the held-out MSE per reward of every encoder folder holding an eval.json."""
    evals = {path.parent.name: json.loads(path.read_text()) for path in sorted(Path(encoders).glob("*/eval.json"))}
    if not evals:
        raise ValueError(f"no */eval.json under {encoders!r}")
    rewards = sorted({name for e in evals.values() for name in e["mse"]})
    lines = ["| encoder | distractors | step | " + " | ".join(rewards) + " |", "|" + "---|" * (len(rewards) + 3)]
    for name, e in evals.items():
        cells = [f"{e['mse'][r]:.5f}" if r in e["mse"] else "—" for r in rewards]
        step = "—" if e.get("step") is None else e["step"]  # None: not trained (eval_extrapolation)
        lines.append(f"| {name} | {e.get('n_distractors', '?')} | {step} | " + " | ".join(cells) + " |")
    protocol_keys = ("n_cond", "n_future", "n_trajectories", "seed")
    protocols = {name: tuple(e.get(k) for k in protocol_keys) for name, e in evals.items()}
    if len(set(protocols.values())) > 1:
        raise ValueError(f"the eval.json files under {encoders!r} differ in {protocol_keys}: {protocols}; "
                         "evaluate them alike (eval_encoder --n_future=...) to share one table")
    first = next(iter(evals.values()))
    note = (f"Mean squared error of each reward head over the T={first.get('n_future')} predicted steps, "
            f"N={first.get('n_cond')} observed frames, {first.get('n_trajectories')} held-out trajectories "
            f"(seed {first.get('seed')}, never used in training).")
    return "\n".join(lines) + "\n\n" + note + "\n"


def _replace_block(text, key, table):
    begin, end = BEGIN.format(key), END.format(key)
    if text is None or begin not in text or end not in text:
        return text
    return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: f"{begin}\n{table}{end}", text, flags=re.S)


def results(logdir="logs", envs=("Sprites", "SpritesState"), last=10, threshold=35.0, smooth=5,
            encoders="logs/encoders", readme="README_CLVR.md", budget=1_000_000, block_prefix=""):
    """Print the results tables (per env family, and the encoders' held-out MSE if `encoders` is set)
    and write each into readme between its results markers, where present: <!-- results:KEY begin -->
    ... <!-- results:KEY end -->, KEY = block_prefix + family (or "encoders").
    budget: see results_table; block_prefix: tells apart the tables of several log folders."""
    envs = (envs,) if isinstance(envs, str) else tuple(envs)
    text = Path(readme).read_text() if readme and Path(readme).exists() else None
    tables = {}
    for family in envs:
        try:
            tables[block_prefix + family] = results_table(logdir, family, last, threshold, smooth, budget)
        except NoRuns as err:
            print(err)
    if encoders:
        tables["encoders"] = encoder_table(encoders)
    for key, table in tables.items():
        print(f"## {key}\n\n{table}")
        text = _replace_block(text, key, table)
    if text is not None:
        Path(readme).write_text(text)
