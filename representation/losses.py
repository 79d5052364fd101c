"""Data and losses of representation training: reward prediction, reconstruction, detached decoding."""
import numpy as np
import torch

from sprites_datagen import TrajectoryGenerator


class StepData:
    """Trajectory batches that depend only on (seed, step): a resumed run sees the same data.

    Each batch: TrajectoryGenerator(n_distractors, seq_len, rewards, n_objects) with the RNG
    numpy.random.default_rng([seed, step]); held-out evaluation uses other seeds (see train.py).
    """

    def __init__(self, seed, batch_size, **generator_kwargs):
        self.seed, self.batch_size = seed, batch_size
        self.generator = TrajectoryGenerator(seed=0, **generator_kwargs)

    def __call__(self, step):
        self.generator.rng = np.random.default_rng([self.seed, step])
        return self.generator.sample(self.batch_size)


def window_targets(rewards, n_cond, n_future):
    """rewards (B, L) -> all windows of N + T consecutive steps, (B * S, N + T), S = L - N - T + 1."""
    windows = rewards.unfold(1, n_cond + n_future, 1)  # (B, S, N + T)
    return windows.reshape(-1, n_cond + n_future)


def encoded_length(seq_len, n_future, aux_weight, aux_all_frames):
    """How many leading frames of each trajectory reward_prediction_loss encodes (see its docstring)."""
    return seq_len if aux_all_frames and aux_weight else seq_len - n_future


def reward_prediction_loss(model, batch, aux_weight=1.0, latent_l2=0.0, latent_noise=0.0, step=0, amp=False,
                           aux_all_frames=False):
    """Loss of a RewardPredictor on a TrajectoryBatch of L >= N + T frames -> (loss, metrics).

    For each of the S = L - N - T + 1 windows, the LSTM observes N frames from a zero state and
    is unrolled T steps on zero inputs; the heads predict each step's reward (future steps: the
    method's loss; observed steps: the current positions). The windows observe the first
    L - T frames only: each of those is encoded once, and the last T frames give targets only.
    aux_weight: weight of an extra pass of the LSTM over the observed frames predicting the
    current rewards, so that the LSTM stays meaningful over long observed sequences (RL agents).
    aux_all_frames: that pass (and so the encoder) also covers the last T frames (all L; the
    encoders of the first comparison were trained so).
    latent_l2: weight of mean(z ** 2) of the representation z, an activity penalty that removes what
    the rewards do not need from z (used for Figure 2; 0 for the reward-prediction encoders).
    loss = mean over rewards of [future MSE + observed MSE + aux_weight * full-sequence MSE]
    + latent_l2 * mean(z ** 2).
    amp: run the encoder under bfloat16 autocast (faster convolutions on CPUs with AMX / AVX-512
    bf16; the rest stays float32).
    latent_noise: std of Gaussian noise added to z before the frame MLP (seeded by `step`). With
    latent_l2 it is an information bottleneck: the penalty shrinks z, the noise keeps the shrunk
    part from carrying information, so only what the rewards need survives (Figure 2).
    metrics: mse_<reward> = future MSE of that reward.
    """
    c = model.config
    n, t = c.n_cond, c.n_future
    length = batch.seq_len
    if length < n + t:
        raise ValueError(f"trajectories of {length} frames are shorter than n_cond + n_future = {n + t}")
    observed = encoded_length(length, t, aux_weight, aux_all_frames)
    frames = batch.encoder_frames(observed)  # (B, observed, 1, 64, 64)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bool(amp)):
        z = model.encoder(frames).float()  # (B, observed, latent_dim)
    x = model.frame_mlp(noisy(z, latent_noise, step))  # (B, observed, I)
    xw = x.unfold(1, n, 1)[:, : length - n - t + 1]  # (B, S, I, N)
    xw = xw.permute(0, 1, 3, 2).reshape(-1, n, x.shape[-1])  # (B * S, N, I)
    preds = model.predict_heads(model.unroll(xw, t))  # {name: (B * S, N + T)}
    full = model.predict_heads(model.lstm(x)[0]) if aux_weight else None  # {name: (B, observed)}
    loss, metrics = 0.0, {}
    for name, pred in preds.items():
        target = window_targets(batch.rewards[name], n, t)
        err = (pred - target) ** 2
        future = err[:, n:].mean()
        loss = loss + future + err[:, :n].mean()
        if full is not None:
            loss = loss + aux_weight * ((full[name] - batch.rewards[name][:, :observed]) ** 2).mean()
        metrics[f"mse_{name}"] = future.item()
    loss = loss / len(preds)
    if latent_l2:
        loss = loss + latent_l2 * z.pow(2).mean()
    return loss, metrics


def batch_frames(batch):
    """All frames of a TrajectoryBatch as encoder input, (B * L, 1, 64, 64)."""
    return batch.encoder_frames().reshape(-1, 1, 64, 64)


def reconstruction_loss(autoencoder, batch):
    """MSE between the frames (in [-1, 1]) and their reconstruction by an Autoencoder."""
    frames = batch_frames(batch)
    return ((autoencoder(frames) - frames) ** 2).mean(), {}


def noisy(z, latent_noise, step):
    """z + latent_noise * N(0, 1) noise seeded by step (z itself when latent_noise is 0)."""
    if not latent_noise:
        return z
    gen = torch.Generator().manual_seed(1_000_003 * step + 17)
    return z + latent_noise * torch.randn(z.shape, generator=gen)


def detached_decoder_loss(decoder, encoder, batch, latent_noise=0.0, step=0):
    """MSE of a DetachedDecoder decoding a frozen encoder's representation (no gradient to it).

    latent_noise: the decoder reads z + noise, the stochastic representation of an encoder trained
    with that noise (the information bottleneck of Figure 2).
    """
    frames = batch_frames(batch)
    with torch.no_grad():
        z = noisy(encoder(frames), latent_noise, step)
    return ((decoder(z) - frames) ** 2).mean(), {}
