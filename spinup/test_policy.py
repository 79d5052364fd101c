"""Load a trained PPO run from its config.json + model.pt (no pickled classes) and roll it out.

    policy = load_policy("logs/oracle/ppo_oracle_SpritesState-v0/ppo_oracle_SpritesState-v0_s0")
    policy.reset()                    # at every episode start
    action = policy(obs)              # one raw observation of the run's env -> (2,) action
"""
import os

import gymnasium as gym
import numpy as np
import torch

from . import logx
from .envs import VelocityObs
from .ppo import build_run


class Policy:
    """A run's actor, with the observation history it needs (velocities, LSTM state)."""

    def __init__(self, ac, config, state_velocity, obs_shape, deterministic=True):
        self.ac, self.config, self.deterministic = ac.eval(), config, deterministic
        self.vel = VelocityObs(1, obs_shape[0] // 2) if state_velocity else None
        self.started = False

    def reset(self):
        """Call at each episode start: clears the velocity history and the LSTM state."""
        self.started = False
        if self.ac.recurrent:
            self.ac.reset_state(1)

    def __call__(self, obs):
        """obs: one raw observation of the env (e.g. (64, 64) image or (2n,) positions) -> (2,) action."""
        obs = np.asarray(obs, dtype=np.float32)[None]
        if self.vel is not None:
            obs = self.vel.reset(obs) if not self.started else self.vel.step(obs, np.zeros(1, bool))[0]
        self.started = True
        with torch.no_grad():
            act = self.ac.act(obs, deterministic=self.deterministic)[0]
        return np.clip(act, -1.0, 1.0)


def load_policy(run_dir, deterministic=True, device="cpu"):
    """Policy of the run folder run_dir (holding config.json and model.pt)."""
    if not os.path.exists(os.path.join(run_dir, "config.json")):
        raise FileNotFoundError(f"{run_dir!r} is not a run folder (no config.json)")
    config = logx.load_config(run_dir)
    ckpt = logx.load_checkpoint(run_dir, map_location=device)
    ac, _, (state_velocity, obs_shape) = build_run(config, device)
    ac.load_state_dict(ckpt["state_dict"])
    policy = Policy(ac, config, state_velocity, obs_shape, deterministic)
    policy.reset()
    return policy


def run_episodes(policy, env_id, episodes, seed=0, record=False):
    """Returns (returns list, frames of the first episode (uint8 (T+1, 64, 64, 3)) or None)."""
    env = gym.make(env_id)
    rets, frames = [], None
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed + ep)
        policy.reset()
        shots = [env.unwrapped.render()] if record and ep == 0 else None
        ret, done = 0.0, False
        while not done:
            obs, rew, term, trunc, _ = env.step(policy(obs))
            ret += rew
            done = term or trunc
            if shots is not None:
                shots.append(env.unwrapped.render())
        rets.append(ret)
        if shots is not None:
            frames = np.stack(shots)
    env.close()
    return rets, frames


def test_policy(run_dir, episodes=20, deterministic=True, seed=12345, gif=None, png=None):
    """Roll out a run's policy for `episodes` episodes; print the mean return; write a GIF and a PNG
    strip of the first episode (defaults: <run_dir>/rollout.gif, <run_dir>/rollout.png; "" skips)."""
    import imageio.v2 as imageio

    episodes = int(episodes)
    if episodes < 1:
        raise ValueError(f"--episodes must be >= 1, got {episodes}")
    policy = load_policy(run_dir, deterministic=bool(deterministic))
    gif = os.path.join(run_dir, "rollout.gif") if gif is None else gif
    png = os.path.join(run_dir, "rollout.png") if png is None else png
    rets, frames = run_episodes(policy, policy.config["env"], episodes, int(seed), record=bool(gif or png))
    mean, std = float(np.mean(rets)), float(np.std(rets))
    print(f"{run_dir}: {episodes} episodes, {'deterministic' if deterministic else 'stochastic'}: "
          f"return {mean:.3f} +- {std:.3f}")
    big = np.repeat(np.repeat(frames, 2, axis=1), 2, axis=2) if frames is not None else None
    if gif:
        imageio.mimsave(gif, list(big), duration=0.1, loop=0)
    if png:
        strip = [np.pad(f, ((0, 0), (0, 2), (0, 0)), constant_values=96) for f in big[::4]]  # grey gaps
        imageio.imwrite(png, np.concatenate(strip, axis=1))
    return mean
