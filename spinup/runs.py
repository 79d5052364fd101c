"""Finding runs under a log folder and reading them: the only interface plots and tables need.

A run is a folder holding progress.txt and config.json (Spinning Up layout,
`logs/<exp_name>/<exp_name>_s<seed>/`); its config.json names the agent ("agent") and the env id ("env").
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .logx import read_progress


@dataclass
class Run:
    """One training run: agent name, env id, seed, and progress columns as float arrays."""

    path: Path
    agent: str
    env_id: str
    seed: int
    progress: dict

    @property
    def n_distractors(self):
        return int(re.search(r"-v(\d)$", self.env_id).group(1))


def load_runs(logdir):
    """Every run below logdir with at least one epoch, sorted by (agent, env_id, seed)."""
    runs = []
    for progress in sorted(Path(logdir).rglob("progress.txt")):
        config_file = progress.parent / "config.json"
        if not config_file.exists():
            continue
        config = json.loads(config_file.read_text())
        if progress.stat().st_size == 0 or "agent" not in config:
            continue
        columns = {name: np.array(values) for name, values in read_progress(progress.parent).items()}
        if len(columns.get("Epoch", [])) == 0:
            continue
        runs.append(Run(progress.parent, config["agent"], config["env"], int(config.get("seed", 0)), columns))
    return sorted(runs, key=lambda r: (r.agent, r.env_id, r.seed))


def group_runs(runs):
    """{(agent, env_id): [runs over seeds]}."""
    groups = {}
    for run in runs:
        group = groups.setdefault((run.agent, run.env_id), [])
        twin = next((r for r in group if r.seed == run.seed), None)
        if twin is not None:
            raise ValueError(f"two runs of {run.agent} on {run.env_id} with seed {run.seed}: {twin.path} and "
                             f"{run.path}; point --logdir at one experiment folder (e.g. logs/comparison)")
        group.append(run)
    return groups


def smooth(values, window):
    """Moving average over the last `window` points (window 1 leaves values unchanged)."""
    if window <= 1:
        return values
    kernel = np.ones(window)
    return np.convolve(values, kernel, "full")[: len(values)] / np.convolve(np.ones_like(values), kernel, "full")[
        : len(values)]


def stacked(runs, y="AverageEpRet", x="TotalEnvInteracts", window=1):
    """x (E,) and ys (seeds, E), cut to the shortest run, each run smoothed over `window` epochs."""
    length = min(len(r.progress[y]) for r in runs)
    xs = runs[0].progress[x][:length]
    ys = np.stack([smooth(r.progress[y][:length], window) for r in runs])
    return xs, ys
