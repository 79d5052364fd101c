"""Reward functions of the dataset, named by what they measure.

Each maps positions (..., T, n, 2) (p0 vertical, p1 horizontal; objects [agent, target, ...])
to a float32 (..., T) array.
"""
import numpy as np

REWARDS = {
    "zero": lambda pos: np.zeros(pos.shape[:-2]),
    "vertical_position": lambda pos: pos[..., 0, 0],
    "horizontal_position": lambda pos: pos[..., 0, 1],
    "agent_x": lambda pos: pos[..., 0, 1],
    "agent_y": lambda pos: pos[..., 0, 0],
    "target_x": lambda pos: pos[..., 1, 1],
    "target_y": lambda pos: pos[..., 1, 0],
}


def check_reward_names(names):
    """Return names as a tuple, or raise ValueError naming the unknown ones and the valid choices."""
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    unknown = [n for n in names if n not in REWARDS]
    if unknown or not names:
        raise ValueError(f"unknown reward name(s) {unknown or names!r}; valid: {sorted(REWARDS)}")
    return names


def compute_rewards(positions, names):
    """{name: float32 (..., T)} for positions (..., T, n, 2)."""
    return {n: REWARDS[n](positions).astype(np.float32) for n in check_reward_names(names)}
