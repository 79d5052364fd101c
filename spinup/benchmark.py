"""Throughput of PPO training: env steps per second *including* the updates, per agent type.

`RESULT_FLAGS` are the PPO settings used for results (train_ppo flags on top of its defaults); the
benchmark trains each agent with them for a few epochs of 4,000 steps and reports the median
StepsPerSec of the epochs after the first (warm-up). Throughput does not depend on the encoder's
weights, so without --encoder_dir randomly initialised checkpoints of model.py stand in.
"""
import json
import os
import tempfile

import numpy as np

from . import core
from .logx import read_progress
from .ppo import train_ppo

CONV_TRAINED = {"train_iters": 4, "minibatch_size": 1000}  # a conv net runs backward in every update
# fine-tuned encoders: the same backward passes cut into 4x more, smaller steps, so that the heads get about as
# many updates per epoch as the frozen agents' 10 x 500 (which the KL stop cuts to ~3-7 passes)
FINETUNED = {"train_iters": 4, "minibatch_size": 250}
RESULT_FLAGS = {
    "oracle": {},
    "image-reconstruction": {},
    "reward-prediction": {},
    "reward-prediction-recurrent": {},
    "cnn": {"train_iters": 2, "minibatch_size": 1000},  # its 16-channel 31x31 first layer costs 2x the encoder
    "image-scratch": CONV_TRAINED,
    "image-reconstruction-finetune": FINETUNED,
    "reward-prediction-finetune": FINETUNED,
}
TARGETS = {"oracle": 10000, "image-reconstruction": 5000, "reward-prediction": 5000,
           "reward-prediction-recurrent": 5000, "cnn": 1500, "image-scratch": 1500,
           "image-reconstruction-finetune": 1500, "reward-prediction-finetune": 1500}


def _random_encoders(folder):
    """Random-weight checkpoints {kind: path} in folder, written the way model.py writes them."""
    import model as model_lib
    paths = {}
    for kind in ("reward_prediction", "reconstruction"):
        cfg = model_lib.ModelConfig(kind=kind)
        paths[kind] = os.path.join(folder, f"{kind}.pt")
        model_lib.save_checkpoint(paths[kind], model_lib.build_model(cfg), cfg.to_dict(), 0)
    return paths


def benchmark_ppo(agents="all", epochs=4, steps_per_epoch=4000, n_distractors=0, reward_prediction_encoder=None,
                  reconstruction_encoder=None, threads=0, out=None):
    """Env steps/s (rollout + update) of each agent at steps_per_epoch steps per epoch.

    agents: "all" or a comma list of core.AGENTS; epochs: per agent (the first is warm-up);
    *_encoder: pretrained checkpoints (default: random weights); out: optional JSON file.
    """
    agents = list(core.AGENTS) if agents == "all" else (
        [a.strip() for a in agents.split(",")] if isinstance(agents, str) else list(agents))
    for a in agents:
        core.check_agent(a, "state" if a == "oracle" else "image")
    if int(epochs) < 2:
        raise ValueError("--epochs must be >= 2 (the first epoch is warm-up)")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        enc = _random_encoders(tmp)
        enc["reward_prediction"] = reward_prediction_encoder or enc["reward_prediction"]
        enc["reconstruction"] = reconstruction_encoder or enc["reconstruction"]
        for a in agents:
            env = f"SpritesState-v{n_distractors}" if a == "oracle" else f"Sprites-v{n_distractors}"
            kw = dict(RESULT_FLAGS[a], env=env, agent=a, epochs=int(epochs), steps_per_epoch=int(steps_per_epoch),
                      num_envs=max(1, int(steps_per_epoch) // 40),  # whole 40-step episodes per epoch
                      out_dir=tmp, exp_name=f"bench_{a}", threads=int(threads), verbose=False, save_every=0)
            if a in core.ENCODER_KIND:
                kw["encoder"] = enc[core.ENCODER_KIND[a]]
            sps = read_progress(train_ppo(**kw))["StepsPerSec"][1:]
            results[a] = float(np.median(sps))
            flag = "ok" if results[a] >= TARGETS[a] else "BELOW TARGET"
            print(f"{a:32s} {results[a]:9.0f} env steps/s   (target {TARGETS[a]}: {flag})  "
                  f"flags {RESULT_FLAGS[a] or 'defaults'}", flush=True)
    if out:
        with open(out, "w") as f:
            json.dump(results, f, indent=2)
    return results
