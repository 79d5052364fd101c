"""Observation and action spaces of the sprites environments."""
import numpy as np
from gymnasium import spaces

from sprites_datagen.world import RESOLUTION


def observation_space(obs_type, n_objects):
    """Box (64, 64) in [0, 1] for images, Box (2 * n_objects,) in [0, 1] for positions."""
    shape = (RESOLUTION, RESOLUTION) if obs_type == "image" else (2 * n_objects,)
    return spaces.Box(0.0, 1.0, shape=shape, dtype=np.float32)


def action_space():
    """Box (2,) in [-1, 1]: the agent's velocity in units of max_speed."""
    return spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
