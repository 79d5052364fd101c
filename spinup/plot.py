"""Learning curves from logs/: mean and one std over seeds vs env steps, one panel per distractor count."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .runs import group_runs, load_runs, stacked  # noqa: E402


def plot(logdir="logs", out="logs/plots/returns.png", smooth=5, agents=None, y="AverageEpRet", envs="Sprites"):
    """Write a PNG of learning curves of every agent found under logdir.

    smooth: moving-average window in epochs. agents: names to keep (all if None).
    envs: env family to plot ("Sprites", "SpritesState", ...): panels v0, v1, v2.
    """
    if not isinstance(smooth, int) or smooth < 1:
        raise ValueError(f"smooth must be a positive int of epochs, got {smooth!r}")
    runs = [r for r in load_runs(logdir) if r.env_id.rsplit("-v", 1)[0] == envs]
    known = sorted({r.agent for r in runs})
    if agents is not None:
        agents = [agents] if isinstance(agents, str) else list(agents)
        unknown = [a for a in agents if a not in known]
        if unknown:
            raise ValueError(f"no runs of agent(s) {unknown} for {envs}-v* under {logdir}; found: {known}")
        runs = [r for r in runs if r.agent in agents]
    if not runs:
        raise ValueError(f"no runs of {envs}-v* with progress.txt and config.json under {logdir!r}")
    groups = group_runs(runs)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharey=True)
    colors = {agent: f"C{i}" for i, agent in enumerate(sorted({r.agent for r in runs}))}
    for (agent, env_id), group in sorted(groups.items()):
        ax = axes[group[0].n_distractors]
        xs, ys = stacked(group, y=y, window=smooth)
        mean, std = ys.mean(0), ys.std(0)
        ax.plot(xs, mean, color=colors[agent], label=f"{agent} ({len(group)} seeds)", lw=1.3)
        ax.fill_between(xs, mean - std, mean + std, color=colors[agent], alpha=0.2, lw=0)
    for d, ax in enumerate(axes):
        ax.set_title(f"{envs}-v{d}: {d} distractor{'s' * (d != 1)}")
        ax.set_xlabel("env steps")
        ax.grid(alpha=0.3)
    handles = {label: h for ax in axes for h, label in zip(*ax.get_legend_handles_labels())}
    n_rows = -(-len(handles) // 4)
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=4, fontsize=8, frameon=False)
    axes[0].set_ylabel(f"{y} (smoothed over {smooth} epochs)")
    fig.tight_layout(rect=(0, 0.045 * n_rows + 0.01, 1, 1))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(f"wrote {out}")
    return out
