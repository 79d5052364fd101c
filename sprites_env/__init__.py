"""Gymnasium environments of the sprites world, registered on import.

Ids: Sprites-v0/1/2 (image, follow), SpritesState-v0/1/2 (state, follow), SpritesRepel-v0/1/2 and
SpritesRepelState-v0/1/2 (repel); the version number is the distractor count. Each id has a native
batched vector env: gymnasium.make_vec(id, num_envs=N, vectorization_mode="vector_entry_point").
"""
import warnings

import gymnasium as gym

from .envs import MAX_EPISODE_STEPS, SpritesEnv
from .vector import SpritesVectorEnv

FAMILIES = {  # id prefix -> (follow, obs_type)
    "Sprites": (True, "image"),
    "SpritesState": (True, "state"),
    "SpritesRepel": (False, "image"),
    "SpritesRepelState": (False, "state"),
}
ENV_IDS = tuple(f"{name}-v{n}" for name in FAMILIES for n in range(3))

# The -vN suffix is the distractor count, not a version: gymnasium's "out of date" warning misleads.
warnings.filterwarnings("ignore", message=r".*The environment Sprites\w*-v\d is out of date",
                        category=DeprecationWarning)


def env_kwargs(env_id):
    """Constructor kwargs of an id, or ValueError listing the valid ids."""
    name, _, version = env_id.rpartition("-v") if isinstance(env_id, str) else ("", "", "")
    if name not in FAMILIES or version not in ("0", "1", "2"):
        raise ValueError(f"unknown env id {env_id!r}; valid ids: {', '.join(ENV_IDS)}")
    follow, obs_type = FAMILIES[name]
    return {"n_distractors": int(version), "follow": follow, "obs_type": obs_type}


def make_vector_env(env_id, num_envs, seed=None):
    """The native vector env of env_id with num_envs sub-envs, reset with seed; returns (env, obs)."""
    env = SpritesVectorEnv(num_envs=num_envs, **env_kwargs(env_id))
    obs, _ = env.reset(seed=seed)
    return env, obs


for _env_id in ENV_IDS:
    if _env_id not in gym.registry:
        gym.register(
            id=_env_id,
            entry_point="sprites_env.envs:SpritesEnv",
            vector_entry_point="sprites_env.vector:SpritesVectorEnv",
            max_episode_steps=MAX_EPISODE_STEPS,
            kwargs=env_kwargs(_env_id),
        )

__all__ = ["ENV_IDS", "MAX_EPISODE_STEPS", "SpritesEnv", "SpritesVectorEnv", "env_kwargs", "make_vector_env"]
