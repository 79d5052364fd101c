"""Run folders, progress.txt, config.json and atomic checkpoints (Spinning Up conventions).

A run lives in `<out_dir>/<exp_name>/<exp_name>_s<seed>/` and holds
  config.json   the full config of train_ppo and the command line
  progress.txt  one tab-separated row per epoch (COLUMNS)
  model.pt      {"state_dict", "optimizer", "config", "epoch", "step", "elapsed"}, written atomically
Only rank 0 writes. `--resume` truncates progress.txt to the checkpoint's epoch. No RNG state is
stored: train_ppo reseeds torch, the minibatch sampler and the env from (seed, rank, epoch) at every
epoch start, so the checkpoint at an epoch boundary is all a resumed run needs to repeat the numbers.
"""
import json
import os
import sys

import torch

from atomic_io import atomic_save_json, atomic_torch_save

COLUMNS = ("Epoch", "AverageEpRet", "StdEpRet", "MaxEpRet", "MinEpRet", "EpLen", "AverageVVals",
           "TotalEnvInteracts", "LossPi", "LossV", "Entropy", "KL", "ClipFrac", "StopIter", "Time",
           "StepsPerSec")
TIMING_COLUMNS = ("Time", "StepsPerSec")
CHECKPOINT = "model.pt"


def run_dir(out_dir, exp_name, seed):
    """`<out_dir>/<exp_name>/<exp_name>_s<seed>` (Spinning Up's folder convention)."""
    return os.path.join(out_dir, exp_name, f"{exp_name}_s{seed}")


def save_config(path, config):
    """config.json: the config dict plus the command line."""
    record = dict(config, command_line=" ".join(sys.argv))
    atomic_save_json(os.path.join(path, "config.json"), record, sort_keys=True, default=str)


def load_config(path):
    with open(os.path.join(path, "config.json")) as f:
        return json.load(f)


def save_checkpoint(path, payload):
    atomic_torch_save(payload, os.path.join(path, CHECKPOINT))


def load_checkpoint(path, map_location="cpu"):
    """The checkpoint dict of a run folder (weights_only: no pickled classes)."""
    file = os.path.join(path, CHECKPOINT)
    if not os.path.exists(file):
        raise FileNotFoundError(f"no checkpoint {file}")
    return torch.load(file, map_location=map_location, weights_only=True)


def read_progress(path):
    """progress.txt as {column: [float, ...]}."""
    with open(os.path.join(path, "progress.txt")) as f:
        lines = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    header, rows = lines[0], lines[1:]
    return {name: [float(r[i]) for r in rows] for i, name in enumerate(header)}


class EpochLogger:
    """Writes one progress.txt row per epoch and echoes it to stdout (rank 0 only)."""

    def __init__(self, path, active=True, resume_epoch=None, verbose=True):
        self.path, self.active, self.verbose = path, active, verbose
        self.file = os.path.join(path, "progress.txt")
        if not active:
            return
        os.makedirs(path, exist_ok=True)
        if resume_epoch is None:
            with open(self.file, "w") as f:
                f.write("\t".join(COLUMNS) + "\n")
        else:
            self._truncate(resume_epoch)

    def _truncate(self, epochs):
        """Keep the header and the rows of epochs 0..epochs-1 (rows after the checkpoint are redone)."""
        keep = []
        if os.path.exists(self.file):
            with open(self.file) as f:
                keep = [line for line in f if line.strip()][:1 + epochs]
        if not keep:
            keep = ["\t".join(COLUMNS) + "\n"]
        with open(self.file, "w") as f:
            f.writelines(keep)

    def log(self, row):
        """row: {column: value} holding every name in COLUMNS."""
        if not self.active:
            return
        missing = set(COLUMNS) - set(row)
        if missing:
            raise KeyError(f"progress row lacks {sorted(missing)}")
        values = [f"{row[c]:.6g}" if isinstance(row[c], float) else str(row[c]) for c in COLUMNS]
        with open(self.file, "a") as f:
            f.write("\t".join(values) + "\n")
            f.flush()
            os.fsync(f.fileno())
        if self.verbose:
            keys = ("Epoch", "AverageEpRet", "StdEpRet", "Entropy", "KL", "StopIter", "TotalEnvInteracts",
                    "StepsPerSec")
            print("  ".join(f"{k} {row[k]:.4g}" if isinstance(row[k], float) else f"{k} {row[k]}"
                            for k in keys), flush=True)
