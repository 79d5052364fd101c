"""PNG strip of a few generated trajectories with their rewards (`python main.py visualize_dataset`)."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .generator import TrajectoryGenerator  # noqa: E402


def visualize_dataset(out="logs/dataset/trajectories.png", n_trajectories=3, n_frames=8, seq_len=30,
                      n_distractors=1, rewards=("agent_x", "agent_y", "target_x", "target_y"), seed=0):
    """Write a PNG: one row per trajectory, n_frames evenly spaced frames, then its reward curves."""
    if not 1 <= n_frames <= seq_len:
        raise ValueError(f"n_frames={n_frames} must lie in 1..seq_len={seq_len}")
    batch = TrajectoryGenerator(n_distractors, seq_len, rewards, seed).sample(n_trajectories)
    steps = [round(i * (seq_len - 1) / max(n_frames - 1, 1)) for i in range(n_frames)]
    fig, axes = plt.subplots(n_trajectories, n_frames + 1, squeeze=False,
                             figsize=(1.4 * n_frames + 3.2, 1.6 * n_trajectories))
    for row in range(n_trajectories):
        for col, t in enumerate(steps):
            ax = axes[row, col]
            ax.imshow(batch.images[row, t, 0].numpy(), cmap="gray", vmin=-1, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            ax.set_title(f"t={t}", fontsize=7)
        curves = axes[row, -1]
        for name, values in batch.rewards.items():
            curves.plot(values[row].numpy(), label=name, lw=1)
        curves.set_ylim(0, 1), curves.tick_params(labelsize=6)
        curves.set_xlabel("t", fontsize=7)
    axes[0, -1].legend(fontsize=5, loc="upper right")
    fig.suptitle(f"{n_trajectories} trajectories, {n_distractors} distractors (rewards: "
                 f"{', '.join(batch.rewards)})", fontsize=8)
    fig.tight_layout()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    print(f"wrote {out}")
