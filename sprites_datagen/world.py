"""Facts and motion of the sprites world (see the spec, SPRITES.md).

A state array has shape (..., n, 4): per object (p0, p1, v0, v1), p0 the vertical coordinate
(image row, 0 at the top) and p1 the horizontal one (image column), all in the unit square.
Objects are ordered [agent, target, distractors...].
"""
import numpy as np

OBJ_SIZE = 0.2
RESOLUTION = 64
MAX_SPEED = 0.05
POS_LOW, POS_HIGH = OBJ_SIZE / 2, 1 - OBJ_SIZE / 2
SHAPE_NAMES = ("rectangle", "circle", "tri_right", "tri_bottom", "tri_left", "tri_top")
AGENT_SHAPE, TARGET_SHAPE = 1, 0
DISTRACTOR_SHAPES = (2, 3, 4, 5)
MAX_DISTRACTORS = 2

_LOW = np.array([POS_LOW, POS_LOW, -MAX_SPEED, -MAX_SPEED])
_HIGH = np.array([POS_HIGH, POS_HIGH, MAX_SPEED, MAX_SPEED])


def clip_state(state):
    """Clip positions to [0.1, 0.9] and velocities to [-0.05, 0.05]. state: (..., n, 4)."""
    return np.clip(state, _LOW, _HIGH)


def motion_step(state):
    """One motion step of every object: clip, move, bounce off the walls, clip. (..., n, 4) -> same."""
    state = clip_state(state)
    pos = state[..., :2] + state[..., 2:]
    vel = state[..., 2:].copy()
    below, above = pos < POS_LOW, pos > POS_HIGH
    pos = np.where(below, 2 * POS_LOW - pos, pos)
    pos = np.where(above, 2 * POS_HIGH - pos, pos)
    vel = np.where(below | above, -vel, vel)
    return clip_state(np.concatenate([pos, vel], axis=-1))


def sample_states(rng, shape):
    """Draw states uniformly within the bounds, then apply one motion step.

    shape: leading shape, e.g. (B, n); returns float64 (*shape, 4).
    """
    return motion_step(rng.uniform(_LOW, _HIGH, size=(*shape, 4)))


def sample_shape_idxs(rng, batch_size, n_distractors):
    """Shape indices (B, 2 + n_distractors): circle agent, rectangle target, random triangles."""
    check_n_distractors(n_distractors)
    fixed = np.broadcast_to(np.array([AGENT_SHAPE, TARGET_SHAPE]), (batch_size, 2))
    distractors = rng.choice(np.array(DISTRACTOR_SHAPES), size=(batch_size, n_distractors))
    return np.concatenate([fixed, distractors], axis=1).astype(np.int64)


def check_n_distractors(n_distractors):
    """Raise ValueError unless n_distractors is 0, 1 or 2."""
    if n_distractors not in range(MAX_DISTRACTORS + 1) or isinstance(n_distractors, bool):
        raise ValueError(f"n_distractors={n_distractors!r} is not valid; choose one of 0, 1, 2")
