"""Run folders of representation training: config.json, progress.csv, model.pt, and the training loop.

A run folder holds
- config.json: {"config": the full config, "command": the command line},
- progress.csv: one row per `log_every` steps (means over those steps),
- model.pt: {"state_dict", "config", "step", "optimizer"}, written atomically every `ckpt_every`
  steps and on Ctrl-C; the finished run keeps only the weights there ("optimizer": None, small
  enough to commit) and the full checkpoint in resume.pt (not committed), from which a run given
  more steps continues.
"""
import csv
import math
import os
import sys
import time

import torch
from tqdm import tqdm

from atomic_io import atomic_save_json, atomic_write
from model import load_checkpoint, save_checkpoint

# config keys that may change when a run is resumed (everything else must match the checkpoint)
RESUMABLE_KEYS = ("steps", "threads", "ckpt_every", "log_every", "out_dir")
# values of config keys added later, for checkpoints written before they existed
LATER_KEYS = {"latent_l2": 0.0, "latent_noise": 0.0, "init_from": None, "amp": False, "aux_all_frames": True}


def coerce_names(rewards):
    """'a,b' / 'a' / ('a', 'b') -> ('a', 'b')."""
    if isinstance(rewards, str):
        rewards = [r.strip() for r in rewards.split(",") if r.strip()]
    return tuple(str(r) for r in rewards)


def positive_int(name, value):
    """int(value) or ValueError naming the flag."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def positive_float(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def set_threads(threads):
    """torch.set_num_threads(threads) unless threads is None (torch's default)."""
    if threads is not None:
        torch.set_num_threads(positive_int("threads", threads))


def check_same_config(saved, config, path):
    """ValueError naming the differing keys unless saved and config agree (except RESUMABLE_KEYS)."""
    keys = (set(saved) | set(config)) - set(RESUMABLE_KEYS)
    norm = lambda v: list(v) if isinstance(v, (tuple, list)) else v  # noqa: E731
    saved = {**LATER_KEYS, **saved}
    config = {**LATER_KEYS, **config}
    diff = sorted(k for k in keys if norm(saved.get(k)) != norm(config.get(k)))
    if diff:
        details = ", ".join(f"{k}: checkpoint {saved.get(k)!r} vs requested {config.get(k)!r}" for k in diff)
        raise ValueError(f"checkpoint {path!r} was trained with a different config ({details}); "
                         "use another out_dir or the same flags")


def write_config(out_dir, config):
    """config.json with the full config and the command line, written atomically."""
    atomic_save_json(os.path.join(out_dir, "config.json"), {"config": config, "command": " ".join(sys.argv)})


def read_progress(path):
    """Rows of progress.csv as dicts of floats (step as int); [] when the file is missing."""
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [{k: (int(float(v)) if k == "step" else float(v)) for k, v in r.items()} for r in rows]


class ProgressLog:
    """progress.csv writer; on resume keeps only the rows up to the checkpoint's step."""

    def __init__(self, path, step):
        self.path, self.fields = path, None
        rows = [r for r in read_progress(path) if r["step"] <= step]
        if rows:
            self.fields = list(rows[0])
            self._rewrite(rows)
        elif os.path.exists(path):
            os.remove(path)

    def _rewrite(self, rows):
        def write(tmp):
            with open(tmp, "w", newline="") as f:
                writer = csv.DictWriter(f, self.fields)
                writer.writeheader()
                writer.writerows(rows)
        atomic_write(self.path, write)

    def write(self, row):
        new = self.fields is None
        self.fields = self.fields or list(row)
        with open(self.path, "a", newline="") as f:
            writer = csv.DictWriter(f, self.fields)
            if new:
                writer.writeheader()
            writer.writerow(row)


def cosine_lr(step, steps, lr, warmup=100):
    """Linear warm-up over `warmup` steps, then cosine decay from lr to 0 at `steps`."""
    if step < warmup:
        return lr * (step + 1) / warmup
    return 0.5 * lr * (1 + math.cos(math.pi * min(step - warmup, steps - warmup) / max(steps - warmup, 1)))


def make_optimizer(params, lr):
    """Adam over params, with PyTorch's fused kernel (a step ~4x faster than the default on CPU)."""
    return torch.optim.Adam(params, lr=lr, fused=True)


def optimizer_step(opt, params, loss):
    """One update of params: backward, gradient norm clipped to 1, optimizer step."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()


def fit(model, config, out_dir, loss_fn, params=None, desc="train"):
    """Train `model` on loss_fn(step) -> (loss, {metric: float}) for config["steps"] steps.

    Resumes from out_dir/model.pt when present (ValueError if its config differs), logs
    progress.csv, checkpoints every config["ckpt_every"] steps and on Ctrl-C (then re-raises
    KeyboardInterrupt). Adam with a cosine learning-rate schedule; gradient norm clipped to 1.
    Returns the final step.
    """
    os.makedirs(out_dir, exist_ok=True)
    ckpt_path, resume_path = os.path.join(out_dir, "model.pt"), os.path.join(out_dir, "resume.pt")
    params = [p for p in (model.parameters() if params is None else params) if p.requires_grad]
    opt = make_optimizer(params, config["lr"])
    step, steps = 0, config["steps"]
    if os.path.exists(ckpt_path):
        ckpt = load_checkpoint(ckpt_path)
        if os.path.exists(resume_path):
            full = load_checkpoint(resume_path)
            ckpt = full if full["step"] >= ckpt["step"] else ckpt
        check_same_config(ckpt["config"], config, ckpt_path)
        model.load_state_dict(ckpt["state_dict"])
        step = ckpt["step"]
        if ckpt["optimizer"] is not None:
            opt.load_state_dict(ckpt["optimizer"])
        elif step < steps:
            print(f"{ckpt_path}: finished run extended from step {step} with a fresh optimizer state")
    write_config(out_dir, config)
    log = ProgressLog(os.path.join(out_dir, "progress.csv"), step)
    sums, count, start = {}, 0, time.time()

    def checkpoint(final=False):
        if final:
            save_checkpoint(resume_path, model, config, step, opt)
        save_checkpoint(ckpt_path, model, config, step, None if final else opt)

    model.train()
    try:
        with tqdm(total=steps, initial=step, desc=desc, dynamic_ncols=True) as bar:
            while step < steps:
                for group in opt.param_groups:
                    group["lr"] = cosine_lr(step, steps, config["lr"])
                loss, metrics = loss_fn(step)
                optimizer_step(opt, params, loss)
                step += 1
                metrics = {"loss": loss.item(), **metrics}
                for k, v in metrics.items():
                    sums[k] = sums.get(k, 0.0) + v
                count += 1
                bar.update(1)
                if step % config["log_every"] == 0 or step == steps:
                    row = {"step": step, **{k: v / count for k, v in sums.items()},
                           "lr": opt.param_groups[0]["lr"], "time_s": round(time.time() - start, 2)}
                    log.write(row)
                    bar.set_postfix(loss=f"{row['loss']:.2e}")
                    sums, count = {}, 0
                if step % config["ckpt_every"] == 0 and step < steps:
                    checkpoint()
    except KeyboardInterrupt:
        checkpoint()
        print(f"\ninterrupted: checkpoint at step {step} in {ckpt_path}; rerun the same command to resume")
        raise
    checkpoint(final=True)
    return step
