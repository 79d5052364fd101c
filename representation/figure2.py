"""The method's Figure 2: what a one-reward representation keeps, seen through a detached decoder.

A single circle moves (n_objects=1). An encoder trained to predict horizontal_position (its column)
should keep the column and drop the row: the decoded frames show a blob (or a vertical smear) whose
column follows the circle's but whose row does not; the vertical_position encoder the other way round.
Measured as the Pearson correlation, over held-out frames, between the bright-blob centroid of the
decoded image and the circle's true position on each axis.

A deterministic encoder trained on one reward still carries the other axis (the random features it
starts from are never removed: a decoder recovers the row of a horizontal_position encoder). The
encoders here are therefore trained with an information bottleneck (train_encoder's latent_l2 and
latent_noise: the representation is z + noise, and z ** 2 is penalised), and their decoders read that
same stochastic representation. figure2.json also reports the decoders applied to the noise-free z.
"""
import os

import numpy as np
import torch

REWARDS = ("horizontal_position", "vertical_position")


def blob_centroids(images):
    """images (n, 1, 64, 64) in about [-1, 1] -> (n, 2) centroid (row, column) in [0, 1] units.

    Weights: brightness above half way between the image's darkest and brightest pixel (the bright
    blob; a smear along one axis gives that axis' middle).
    """
    b = (images[:, 0].clamp(-1, 1) + 1) / 2
    lo, hi = b.amin(dim=(-2, -1), keepdim=True), b.amax(dim=(-2, -1), keepdim=True)
    w = (b - (lo + hi) / 2).clamp(min=0)
    w = w / w.sum(dim=(-2, -1), keepdim=True).clamp(min=1e-8)
    coords = torch.arange(b.shape[-1], dtype=b.dtype) / (b.shape[-1] - 1)
    return torch.stack([(w.sum(-1) * coords).sum(-1), (w.sum(-2) * coords).sum(-1)], dim=-1)


def corr(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.std() < 1e-12 or b.std() < 1e-12:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def measure(decode, n_eval, seed):
    """Correlations of decoded-blob centroids with the true (row, column) over n_eval held-out frames.

    decode: frames (n, 1, 64, 64) -> decoded (n, 1, 64, 64). Returns (metrics dict, centroids, truth).
    """
    from sprites_datagen import TrajectoryGenerator
    batch = TrajectoryGenerator(n_objects=1, seq_len=1, rewards=REWARDS, seed=seed).sample(n_eval)
    frames = batch.encoder_frames(1)[:, 0]
    with torch.no_grad():
        cent = blob_centroids(decode(frames)).numpy()
    truth = batch.states[:, 0, 0].numpy()  # (n, 2): p0 row, p1 column
    return {"corr_row": corr(cent[:, 0], truth[:, 0]), "corr_column": corr(cent[:, 1], truth[:, 1]),
            "n_frames": int(n_eval)}, cent, truth


def run_figure2(out_dir, encoder_steps, decoder_steps, batch_size, n_eval, seed, latent_l2, latent_noise,
                threads=None):
    """Train (or resume) both encoders and decoders, measure, and write figure2.json and PNGs."""
    import train
    from representation.plots import save_image_rows
    from atomic_io import atomic_save_json
    from sprites_datagen import TrajectoryGenerator
    results, decoders = {}, {}
    for reward in REWARDS:
        enc_dir = os.path.join(out_dir, reward)
        train.train_encoder(rewards=(reward,), n_objects=1, steps=encoder_steps, batch_size=batch_size,
                            seed=seed, latent_l2=latent_l2, latent_noise=latent_noise, aux_all_frames=True,
                            out_dir=enc_dir, threads=threads)
        dec_dir = train.train_decoder(encoder=enc_dir, steps=decoder_steps, batch_size=batch_size, seed=seed,
                                      threads=threads)
        decoders[reward] = train.load_decoding(dec_dir)[0]
        results[reward], cent, truth = measure(decoders[reward], n_eval, train.EVAL_SEED)
        results[reward]["centroids"], results[reward]["truth"] = cent, truth
        results[reward]["noise_free_z"] = measure(train.load_decoding(dec_dir, noise=False)[0], n_eval,
                                                  train.EVAL_SEED)[0]
    report = {r: {k: v for k, v in m.items() if k not in ("centroids", "truth")} for r, m in results.items()}
    h, v = report["horizontal_position"], report["vertical_position"]
    report["pass"] = bool(h["corr_column"] >= 0.9 and abs(h["corr_row"]) <= 0.3
                          and v["corr_row"] >= 0.9 and abs(v["corr_column"]) <= 0.3)
    os.makedirs(out_dir, exist_ok=True)
    atomic_save_json(os.path.join(out_dir, "figure2.json"), report)
    # true frames over the frames decoded through each encoder, one held-out trajectory
    batch = TrajectoryGenerator(n_objects=1, seq_len=10, rewards=REWARDS, seed=train.EVAL_SEED + 1).sample(1)
    frames = batch.encoder_frames()[0]
    with torch.no_grad():
        rows = [frames] + [decoders[r](frames) for r in REWARDS]
    save_image_rows(os.path.join(out_dir, "figure2.png"), rows, ["true", "horizontal", "vertical"])
    _scatter(os.path.join(out_dir, "figure2_scatter.png"), results)
    for reward in REWARDS:
        m = report[reward]
        print(f"{reward}: corr(decoded column, true column) = {m['corr_column']:.3f}, "
              f"corr(decoded row, true row) = {m['corr_row']:.3f}")
    print(f"figure 2 {'reproduced' if report['pass'] else 'NOT reproduced'}; wrote {out_dir}/figure2.json, .png")
    return report


def _scatter(out, results):
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(7, 7))
    for i, reward in enumerate(REWARDS):
        m = results[reward]
        for j, (axis, k) in enumerate((("row", 0), ("column", 1))):
            ax = axes[i][j]
            ax.scatter(m["truth"][:, k], m["centroids"][:, k], s=3, alpha=0.5)
            ax.set_title(f"{reward}: {axis} corr {m[f'corr_{axis}']:.2f}", fontsize=8)
            ax.set_xlabel(f"true {axis}", fontsize=8)
            ax.set_ylabel(f"decoded blob {axis}", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
