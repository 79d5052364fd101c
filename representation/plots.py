"""PNG outputs: loss curves of run folders and rows of images."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from representation.runs import read_progress  # noqa: E402


def plot_progress(paths, out):
    """Loss (and per-reward future MSE) against step for each run folder's progress.csv, log scale."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for path in paths:
        rows = read_progress(os.path.join(path, "progress.csv"))
        if not rows:
            raise FileNotFoundError(f"no progress.csv rows in {path!r}")
        steps = [r["step"] for r in rows]
        name = os.path.basename(os.path.normpath(path))
        ax.plot(steps, [r["loss"] for r in rows], label=f"{name}: loss", lw=1.5)
        for key in (k for k in rows[0] if k.startswith("mse_")):
            ax.plot(steps, [r[key] for r in rows], label=f"{name}: {key}", lw=0.8, alpha=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss / future MSE")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)


def save_image_rows(out, rows, labels, scale=2):
    """rows: list of (n, 1, 64, 64) tensors in about [-1, 1] -> one PNG, one labelled row each."""
    n = rows[0].shape[0]
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 0.55 * scale, len(rows) * 0.6 * scale), squeeze=False)
    for i, (row, label) in enumerate(zip(rows, labels)):
        for j in range(n):
            ax = axes[i][j]
            ax.imshow(row[j, 0].clamp(-1, 1).numpy(), cmap="gray", vmin=-1, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[i][0].set_ylabel(label, fontsize=8)
    fig.tight_layout(pad=0.2)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
