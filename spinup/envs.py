"""Environment construction for PPO and the velocity features of state observations.

The state observation of SpritesState-v* holds positions only. A feed-forward policy on positions is
bounded by the greedy chaser (~38.0, KNOWN.md); to lead the target it must see motion. `VelocityObs`
therefore appends the per-step displacement of every object, in units of max_speed:
    obs' = concat(pos_t, (pos_t - pos_{t-1}) / max_speed)        (2 * 2n,) float32
with zero displacement on the first observation of an episode. It is stateful (the previous
positions of each sub-env) and is reset per sub-env at episode starts; `final_obs` at a truncation
gets the displacement of the episode's last step, so bootstrapping sees a consistent observation.
"""
import gymnasium as gym
import numpy as np

import sprites_env
from sprites_datagen.world import MAX_SPEED


def check_env_id(env_id):
    """Return the env's kwargs (obs_type, n_distractors, follow) or raise ValueError with valid ids."""
    return sprites_env.env_kwargs(env_id)


def make_vec_env(env_id, num_envs):
    """The native batched vector env of env_id (same-step autoreset)."""
    check_env_id(env_id)
    return gym.make_vec(env_id, num_envs=num_envs, vectorization_mode="vector_entry_point")


class VelocityObs:
    """Per-sub-env history turning position observations (N, 2n) into (N, 4n) position + velocity."""

    def __init__(self, num_envs, obs_dim):
        self.prev = np.zeros((num_envs, obs_dim), dtype=np.float32)

    @staticmethod
    def obs_dim(raw_dim):
        return 2 * raw_dim

    def reset(self, obs, mask=None):
        """Start new episodes (all sub-envs, or those where mask (N,) is True) at obs (N, 2n)."""
        if mask is None:
            self.prev[:] = obs
        else:
            self.prev[mask] = obs[mask]
        return self.features(obs)

    def features(self, obs, prev=None):
        prev = self.prev if prev is None else prev
        return np.concatenate([obs, (obs - prev) / np.float32(MAX_SPEED)], axis=-1).astype(np.float32)

    def step(self, obs, done, final_obs=None):
        """Features after env.step: obs (N, 2n) (already the next episode's first obs where done (N,)).

        Returns (features (N, 4n), final_features (N, 4n) or None): final_features are those of
        final_obs, valid where done.
        """
        final = None
        if final_obs is not None:
            final = self.features(final_obs)
        out = self.features(obs)
        out[done, obs.shape[-1]:] = 0.0  # first observation of a new episode: no displacement yet
        self.prev[:] = obs
        return out, final
