"""Representation training and evaluation (`python main.py <command> --flag=value`).

Commands: train_encoder, eval_encoder, train_decoder, visualize_decoder, train_reconstruction,
plot_losses, figure2, benchmark. Each run folder holds config.json, progress.csv and model.pt
(see representation/runs.py). Images enter the encoder through TrajectoryBatch.encoder_frames, the
dataset's side of sprites_datagen.to_encoder_input.
"""
import os
import time

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from atomic_io import atomic_save_json
from model import ModelConfig, build_model, load_checkpoint, load_pretrained
from representation.extrapolation import extrapolate, pixel_readings
from representation.losses import (StepData, detached_decoder_loss, encoded_length, noisy, reconstruction_loss,
                                   reward_prediction_loss)
from representation.runs import (coerce_names, fit, make_optimizer, optimizer_step, positive_float, positive_int,
                                 set_threads)
from sprites_datagen import TrajectoryGenerator, check_reward_names
from sprites_datagen.world import check_n_distractors

EVAL_SEED = 1_000_003  # held-out data: a seed no training run uses (training uses [seed, step])


def _data_config(n_distractors, n_objects):
    check_n_distractors(n_distractors)
    if n_objects is not None:
        n_objects = positive_int("n_objects", n_objects)
    return n_distractors, n_objects


def _reward_prediction_config(rewards, n_distractors, n_objects, n_cond, n_future, seq_len, steps,
                              batch_size, lr, seed, aux_weight, ckpt_every, log_every, latent_l2=0.0,
                              latent_noise=0.0, aux_all_frames=False, lstm_hidden=64):
    """The full, validated config dict of a reward-prediction run."""
    rewards = check_reward_names(coerce_names(rewards))
    n_distractors, n_objects = _data_config(n_distractors, n_objects)
    if n_objects is not None and n_objects < 2 and any(r.startswith("target") for r in rewards):
        raise ValueError(f"rewards {rewards} need a target, but n_objects={n_objects}")
    n_cond, n_future = positive_int("n_cond", n_cond), positive_int("n_future", n_future)
    seq_len = positive_int("seq_len", seq_len)
    if n_cond + n_future > seq_len:
        raise ValueError(f"n_cond + n_future = {n_cond + n_future} does not fit seq_len={seq_len}")
    if min(aux_weight, latent_l2, latent_noise) < 0:
        raise ValueError(f"aux_weight, latent_l2, latent_noise must be >= 0, got "
                         f"{aux_weight!r}, {latent_l2!r}, {latent_noise!r}")
    model_cfg = ModelConfig(kind="reward_prediction", rewards=rewards, n_distractors=n_distractors,
                            n_objects=n_objects, n_cond=n_cond, n_future=n_future,
                            lstm_hidden=positive_int("lstm_hidden", lstm_hidden)).to_dict()
    return {**model_cfg, "seq_len": seq_len, "steps": positive_int("steps", steps),
            "batch_size": positive_int("batch_size", batch_size), "lr": positive_float("lr", lr),
            "seed": int(seed), "aux_weight": float(aux_weight), "aux_all_frames": bool(aux_all_frames),
            "latent_l2": float(latent_l2), "latent_noise": float(latent_noise),
            "ckpt_every": positive_int("ckpt_every", ckpt_every), "log_every": positive_int("log_every", log_every)}


def _comparable(key, value):
    """A config value in a form that compares equal across JSON (lists) and Python (tuples)."""
    return list(value or []) if key == "rewards" else value


def train_encoder(rewards=("agent_x", "agent_y", "target_x", "target_y"), n_distractors=0, n_objects=None,
                  n_cond=3, n_future=12, seq_len=30, steps=6000, batch_size=64, lr=1e-3, seed=0,
                  aux_weight=1.0, aux_all_frames=False, latent_l2=0.0, latent_noise=0.0, lstm_hidden=64, init_from=None,
                  amp=False, out_dir="logs/encoders/reward_prediction_d0", ckpt_every=200, log_every=20, threads=1):
    """Train a RewardPredictor (encoder + LSTM + reward heads); resumes from out_dir/model.pt.

    rewards: comma-separated names (sprites_datagen.rewards.REWARDS). n_cond (N) frames observed,
    n_future (T) steps predicted; every window of N + T steps of each seq_len-frame trajectory is
    used. aux_weight, aux_all_frames: the auxiliary pass of the LSTM over the observed frames, and
    whether it covers all seq_len frames (see representation.losses.reward_prediction_loss).
    latent_l2, latent_noise: information bottleneck on the representation (penalty on z ** 2,
    noise added to z; see representation.losses), 0 for the reward-prediction encoders.
    lstm_hidden: the LSTM's hidden size H.
    init_from: a reward-prediction run whose weights start this one (a curriculum, e.g. 1 distractor
    started from the 0-distractor encoder); its rewards and sizes must match, except lstm_hidden:
    when that differs, only the encoder and frame MLP are taken (the LSTM and heads start fresh).
    amp: bfloat16 autocast for the encoder (see `benchmark`); the committed encoders use float32.
    threads: torch threads (default 1: leave cores to other jobs).
    """
    config = _reward_prediction_config(rewards, n_distractors, n_objects, n_cond, n_future, seq_len, steps,
                                       batch_size, lr, seed, aux_weight, ckpt_every, log_every, latent_l2,
                                       latent_noise, aux_all_frames, lstm_hidden)
    config["init_from"] = None if init_from is None else os.path.normpath(init_from)
    config["amp"] = bool(amp)
    set_threads(threads)
    torch.manual_seed(config["seed"])
    model = build_model(config)
    if init_from is not None:
        start, start_config = load_pretrained(init_from, kind="reward_prediction")
        keys = ("rewards", "latent_dim", "mlp_hidden", "lstm_input")
        differ = [k for k in keys if _comparable(k, start_config.get(k)) != _comparable(k, config[k])]
        if differ:
            raise ValueError(f"init_from={init_from!r} differs from this run in {differ}; they must match")
        if start_config["lstm_hidden"] == config["lstm_hidden"]:
            model.load_state_dict(start.state_dict())
        else:
            model.encoder.load_state_dict(start.encoder.state_dict())
            model.frame_mlp.load_state_dict(start.frame_mlp.state_dict())
            print(f"init_from={init_from!r}: encoder and frame MLP only (its lstm_hidden is "
                  f"{start_config['lstm_hidden']}, this run's {config['lstm_hidden']})")
    data = StepData(config["seed"], config["batch_size"], n_distractors=config["n_distractors"],
                    seq_len=config["seq_len"], rewards=config["rewards"], n_objects=config["n_objects"])
    loss_fn = lambda s: reward_prediction_loss(model, data(s), config["aux_weight"], config["latent_l2"],  # noqa: E731
                                               config["latent_noise"], s, config["amp"], config["aux_all_frames"])
    step = fit(model, config, out_dir, loss_fn, desc=os.path.basename(os.path.normpath(out_dir)))
    print(f"trained {out_dir} to step {step}")
    return out_dir


def _eval_batches(config, n_trajectories, seed, seq_len, batch_size=256):
    gen = TrajectoryGenerator(n_distractors=config["n_distractors"], seq_len=seq_len,
                              rewards=config["rewards"], seed=seed, n_objects=config.get("n_objects"))
    left = n_trajectories
    while left > 0:
        yield gen.sample(min(batch_size, left))
        left -= batch_size


def _held_out_mse(predict, config, n_trajectories, seed, n, t, out, name, step):
    """Per-reward MSE of predict(batch) -> {reward: (B, N + T)} on held-out trajectories -> mse dict.

    Writes `out` (JSON): mse over the T future steps, mse_by_step, mse_observed (the N observed steps).
    """
    n_trajectories = positive_int("n_trajectories", n_trajectories)
    sums = {reward: torch.zeros(n + t, dtype=torch.float64) for reward in config["rewards"]}
    with torch.no_grad():
        for batch in _eval_batches(config, n_trajectories, int(seed), n + t):
            for reward, pred in predict(batch).items():
                sums[reward] += ((pred - batch.rewards[reward]) ** 2).sum(0).double()
    mse = {k: (s[n:].sum() / (n_trajectories * t)).item() for k, s in sums.items()}
    result = {"mse": mse, "mse_by_step": {k: (s[n:] / n_trajectories).tolist() for k, s in sums.items()},
              "mse_observed": {k: (s[:n].sum() / (n_trajectories * n)).item() for k, s in sums.items()},
              "n_trajectories": n_trajectories, "seed": int(seed), "n_cond": n, "n_future": t,
              "n_distractors": config["n_distractors"], "step": step}
    print(f"held-out MSE of {name} (N={n}, T={t}, {n_trajectories} trajectories, seed {seed})")
    print("| " + " | ".join(mse) + " |\n|" + "---|" * len(mse))
    print("| " + " | ".join(f"{v:.5f}" for v in mse.values()) + " |")
    atomic_save_json(out, result)
    return mse


def eval_encoder(path="logs/encoders/reward_prediction_d0", n_trajectories=2048, seed=EVAL_SEED,
                 n_future=None, n_distractors=None, out=None, threads=None):
    """Per-reward MSE of the T predicted future rewards on fresh held-out trajectories.

    Prints a markdown table and writes it as JSON to `out` (default <run folder>/eval.json) with the
    MSE per future step (mse_by_step) and at the N observed steps (mse_observed: reading the
    current positions).
    n_future: evaluate another horizon than the trained T (the LSTM unrolls any length).
    n_distractors: evaluate on another distractor count than the run trained on (default out:
    <run folder>/eval_d<n_distractors>.json).
    """
    set_threads(threads)
    model, config = load_pretrained(path, kind="reward_prediction")
    t = config["n_future"] if n_future is None else positive_int("n_future", n_future)
    n = config["n_cond"]
    default_out = "eval.json"
    if n_distractors is not None and n_distractors != config["n_distractors"]:
        if config.get("n_objects") is not None:
            raise ValueError(f"n_distractors={n_distractors!r}: {path} trained on n_objects="
                             f"{config['n_objects']}, which fixes the scene; leave n_distractors out")
        check_n_distractors(n_distractors)
        config = {**config, "n_distractors": n_distractors}
        default_out = f"eval_d{n_distractors}.json"

    def predict(batch):
        frames = batch.encoder_frames(n)
        return model.predict_heads(model.unroll(model.frame_features(frames), t))

    out = out or os.path.join(_run_dir(path), default_out)
    return _held_out_mse(predict, config, n_trajectories, seed, n, t, out, path, load_checkpoint(path)["step"])


def eval_extrapolation(out_dir="logs/encoders/extrapolation_of_pixel_positions", n_distractors=0, n_cond=3,
                       n_future=12, rewards=("agent_x", "agent_y", "target_x", "target_y"), n_trajectories=2048,
                       seed=EVAL_SEED):
    """eval_encoder's table for a non-learned reference: true positions read at pixel precision, extrapolated.

    See representation/extrapolation.py. Writes out_dir/eval.json (a row of the encoders' MSE table).
    """
    rewards = check_reward_names(coerce_names(rewards))
    if "zero" in rewards:
        raise ValueError(f"rewards {rewards} must all be positions ('zero' is not one)")
    config = {"n_distractors": _data_config(n_distractors, None)[0], "rewards": rewards}
    n, t = positive_int("n_cond", n_cond), positive_int("n_future", n_future)

    def predict(batch):
        return {r: extrapolate(pixel_readings(batch.rewards[r][:, :n]), t) for r in rewards}

    os.makedirs(out_dir, exist_ok=True)
    return _held_out_mse(predict, config, n_trajectories, seed, n, t, os.path.join(out_dir, "eval.json"),
                         "the extrapolation of pixel positions", None)


def _image_config(kind, n_distractors, n_objects, steps, batch_size, seq_len, lr, seed, ckpt_every,
                  log_every, **extra):
    n_distractors, n_objects = _data_config(n_distractors, n_objects)
    return {**ModelConfig(kind=kind, rewards=(), n_distractors=n_distractors, n_objects=n_objects).to_dict(),
            "seq_len": positive_int("seq_len", seq_len), "steps": positive_int("steps", steps),
            "batch_size": positive_int("batch_size", batch_size), "lr": positive_float("lr", lr),
            "seed": int(seed), "ckpt_every": positive_int("ckpt_every", ckpt_every),
            "log_every": positive_int("log_every", log_every), **extra}


def train_reconstruction(n_distractors=0, n_objects=None, steps=6000, batch_size=32, seq_len=8, lr=1e-3,
                         seed=0, out_dir="logs/encoders/reconstruction_d0", ckpt_every=200, log_every=20,
                         threads=1):
    """Image-reconstruction baseline: the same Encoder trained with a Decoder as an autoencoder.

    Each step reconstructs batch_size trajectories x seq_len frames (MSE in [-1, 1]).
    """
    config = _image_config("reconstruction", n_distractors, n_objects, steps, batch_size, seq_len, lr, seed,
                           ckpt_every, log_every)
    set_threads(threads)
    torch.manual_seed(config["seed"])
    model = build_model(config)
    data = StepData(config["seed"], config["batch_size"], n_distractors=config["n_distractors"],
                    seq_len=config["seq_len"], rewards=("zero",), n_objects=config["n_objects"])
    fit(model, config, out_dir, lambda s: reconstruction_loss(model, data(s)), desc="reconstruction")
    return out_dir


def _run_dir(path):
    return path if os.path.isdir(path) else os.path.dirname(path)


def train_decoder(encoder="logs/encoders/reward_prediction_d0", out_dir=None, n_distractors=None,
                  n_objects=None, steps=3000, batch_size=32, seq_len=8, lr=1e-3, seed=0, latent_noise=None,
                  ckpt_every=200, log_every=20, threads=1):
    """Train a detached Decoder on a frozen encoder's representation (default out_dir <encoder>/decoder).

    The data defaults to the encoder's (n_distractors, n_objects); gradients stop at the representation.
    latent_noise: std of noise added to the representation the decoder reads; None: the encoder's own
    training noise (0 for the reward-prediction encoders; see train_encoder).
    """
    enc_model, enc_config = load_pretrained(encoder)
    if enc_config["kind"] == "detached_decoder":
        raise ValueError(f"{encoder!r} is a decoder, not an encoder")
    n_distractors = enc_config["n_distractors"] if n_distractors is None else n_distractors
    n_objects = enc_config.get("n_objects") if n_objects is None else n_objects
    config = _image_config("detached_decoder", n_distractors, n_objects, steps, batch_size, seq_len, lr, seed,
                           ckpt_every, log_every, encoder=os.path.normpath(encoder),
                           encoder_step=load_checkpoint(encoder)["step"],
                           latent_noise=float(enc_config.get("latent_noise", 0.0) if latent_noise is None
                                              else latent_noise))
    if config["latent_noise"] < 0:
        raise ValueError(f"latent_noise must be >= 0, got {latent_noise!r}")
    set_threads(threads)
    torch.manual_seed(config["seed"])
    enc = enc_model.encoder.requires_grad_(False).eval()
    decoder = build_model(config)
    data = StepData(config["seed"] + 1, config["batch_size"], n_distractors=config["n_distractors"],
                    seq_len=config["seq_len"], rewards=("zero",), n_objects=config["n_objects"])
    out_dir = out_dir or os.path.join(_run_dir(encoder), "decoder")
    fit(decoder, config, out_dir, lambda s: detached_decoder_loss(decoder, enc, data(s), config["latent_noise"], s),
        desc="decoder")
    return out_dir


def load_decoding(path, noise_seed=0, noise=True):
    """A detached-decoder or reconstruction run -> (fn frames -> decoded frames, its config).

    A decoder trained on a noisy representation (config latent_noise) decodes z + noise, seeded
    by noise_seed (noise=False: the noise-free z).
    """
    model, config = load_pretrained(path)
    if config["kind"] == "reconstruction":
        return model, config
    if config["kind"] != "detached_decoder":
        raise ValueError(f"{path!r} holds a {config['kind']!r} model; give a decoder or reconstruction run")
    encoder_path = config["encoder"]
    if not os.path.exists(encoder_path):  # a relative path from another working directory
        encoder_path = os.path.dirname(os.path.normpath(_run_dir(os.fspath(path))))
    encoder = load_pretrained(encoder_path)[0].encoder
    std = config.get("latent_noise", 0.0) if noise else 0.0
    return (lambda frames: model(noisy(encoder(frames), std, noise_seed))), config


def visualize_decoder(path="logs/encoders/reward_prediction_d0/decoder", out=None, n_frames=10, seed=EVAL_SEED):
    """PNG of held-out frames (top row) over their decoding (bottom row); default <run>/decoded.png."""
    from representation.plots import save_image_rows
    decode, config = load_decoding(path)
    n_frames = positive_int("n_frames", n_frames)
    batch = next(_eval_batches({**config, "rewards": ("zero",)}, 1, int(seed), n_frames))
    frames = batch.encoder_frames()[0]
    with torch.no_grad():
        decoded = decode(frames)
    out = out or os.path.join(_run_dir(path), "decoded.png")
    save_image_rows(out, [frames, decoded], ["true", "decoded"])
    print(f"wrote {out}")
    return out


def plot_losses(paths="logs/encoders/reward_prediction_d0", out=None):
    """Loss curves (progress.csv) of one or more comma-separated run folders -> PNG (default <first>/losses.png)."""
    from representation.plots import plot_progress
    paths = list(coerce_names(paths))
    out = out or os.path.join(paths[0], "losses.png")
    plot_progress(paths, out)
    print(f"wrote {out}")
    return out


def figure2(out_dir="logs/figure2", encoder_steps=1500, decoder_steps=1500, batch_size=32, n_eval=1024,
            seed=0, latent_l2=0.01, latent_noise=1.0, threads=1):
    """The method's Figure 2: single moving circle, one reward; decoded frames of a detached decoder.

    Trains (or resumes) one encoder per reward (horizontal_position, vertical_position) and its
    detached decoder under out_dir, then measures, over n_eval held-out frames, the correlation of the
    decoded image's bright-blob centroid with the shape's true column and row; writes figure2.json,
    figure2.png (true / decoded frames) and figure2_scatter.png. latent_l2, latent_noise: the encoders'
    information bottleneck on the representation (see train_encoder), whose decoders read the same
    noisy representation; without it (0, 0) the representation also keeps the other axis, and a
    decoder recovers it. figure2.json also holds the decoders' output for the noise-free z.
    """
    from representation.figure2 import run_figure2
    set_threads(threads)
    return run_figure2(out_dir, positive_int("encoder_steps", encoder_steps),
                       positive_int("decoder_steps", decoder_steps), positive_int("batch_size", batch_size),
                       positive_int("n_eval", n_eval), int(seed), float(latent_l2), float(latent_noise))


def benchmark(steps=20, warmup=3, batch_size=64, seq_len=30, n_distractors=0, n_future=12, lstm_hidden=64,
              aux_weight=1.0, amp=False, aux_all_frames=False, threads=None, profile=False):
    """ms per training step of train_encoder (data, forward, backward, clipping, Adam) at batch x seq_len.

    n_future, lstm_hidden, aux_weight, amp, aux_all_frames: the loss and model of train_encoder's
    flags of the same names (n_future=27 with seq_len=30: the method's one window per trajectory);
    threads: None = torch's default.
    profile: also print where the time goes (torch.profiler, the operators with the most self time).
    """
    set_threads(threads)
    config = _reward_prediction_config(("agent_x", "agent_y", "target_x", "target_y"), n_distractors, None, 3,
                                       n_future, seq_len, 1, batch_size, 1e-3, 0, aux_weight, 1, 1,
                                       aux_all_frames=aux_all_frames, lstm_hidden=lstm_hidden)
    torch.manual_seed(0)
    model = build_model(config)
    data = StepData(0, config["batch_size"], n_distractors=config["n_distractors"], seq_len=config["seq_len"],
                    rewards=config["rewards"])
    params = list(model.parameters())
    opt = make_optimizer(params, config["lr"])

    def loss_at(step):
        return reward_prediction_loss(model, data(step), config["aux_weight"], amp=bool(amp),
                                      aux_all_frames=config["aux_all_frames"])[0]

    times = []
    profiler = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) if profile else None
    for step in range(positive_int("warmup", warmup) + positive_int("steps", steps)):
        if profiler is not None and step == warmup:
            profiler.start()
        start = time.perf_counter()
        optimizer_step(opt, params, loss_at(step))
        times.append(time.perf_counter() - start)
    if profiler is not None:
        profiler.stop()
        print(profiler.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))
    times = np.array(times[warmup:]) * 1000
    encoded = encoded_length(seq_len, config["n_future"], config["aux_weight"], config["aux_all_frames"])
    windows = seq_len - config["n_cond"] - config["n_future"] + 1
    print(f"training step, batch {batch_size} x {seq_len} frames ({encoded} encoded per trajectory; {windows} "
          f"windows of N={config['n_cond']} + T={config['n_future']}; LSTM {config['lstm_hidden']}; aux_weight "
          f"{config['aux_weight']}), {torch.get_num_threads()} threads, "
          f"{'bfloat16 autocast encoder' if amp else 'float32'}: "
          f"{times.mean():.1f} ms/step (median {np.median(times):.1f}, min {times.min():.1f}) over {steps} steps")
    flops = step_flops(lambda: loss_at(0))
    total = sum(flops.values())
    print(f"{total / 1e9:.2f} GFLOP per step (" + ", ".join(f"{k} {v / 1e9:.2f}" for k, v in flops.items())
          + f"): {total / np.median(times) / 1e6:.1f} GFLOP/s at the median time")
    return float(times.mean())


def step_flops(loss_fn):
    """Floating-point operations of loss_fn() and its backward pass -> {"convolutions": n, "matrix products": n}.

    Counted by torch.utils.flop_counter: convolutions and matrix products as executed; not counted
    are element-wise operations, oneDNN's fused LSTM kernel (the N observed steps), the optimizer and
    data generation.
    """
    with FlopCounterMode(display=False) as counter:
        loss_fn().backward()
    by_op = {str(op).split(".")[-1]: n for op, n in counter.get_flop_counts()["Global"].items()}
    conv = sum(n for op, n in by_op.items() if op.startswith("convolution"))
    return {"convolutions": conv, "matrix products": sum(by_op.values()) - conv}
