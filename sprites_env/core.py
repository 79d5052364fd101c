"""The batched sprites simulation shared by the single and the vector environment.

All arrays carry a leading batch axis B (B = 1 for a single env):
state (B, n, 4) float64 (p0, p1, v0, v1 per object, agent first), shape_idxs (B, n) int64.
"""
import numpy as np

from sprites_datagen.rendering import render
from sprites_datagen.world import (
    AGENT_SHAPE, MAX_SPEED, POS_HIGH, POS_LOW, SHAPE_NAMES, TARGET_SHAPE, check_n_distractors,
    motion_step, sample_shape_idxs, sample_states,
)

OBS_TYPES = ("image", "state")
SQRT2 = np.sqrt(2.0)


def check_actions(actions, batch_size):
    """float64 (B, 2) actions, or ValueError for a wrong shape or a non-finite value."""
    actions = np.asarray(actions, dtype=np.float64)
    expected = (batch_size, 2) if batch_size is not None else (2,)
    if actions.shape != expected:
        raise ValueError(f"action must have shape {expected}, got {actions.shape}")
    if not np.all(np.isfinite(actions)):
        raise ValueError(f"action must be finite, got {actions.tolist()}")
    return actions


def check_initial_state(state, shape_idxs, batch_shape, n_objects):
    """Validate a user-given state (*batch_shape, n, 4) and shape_idxs (*batch_shape, n)."""
    state = np.asarray(state, dtype=np.float64)
    if state.shape != (*batch_shape, n_objects, 4):
        raise ValueError(f"options['state'] must have shape {(*batch_shape, n_objects, 4)}, got {state.shape}")
    if not np.all(np.isfinite(state)):
        raise ValueError("options['state'] must be finite")
    pos, vel = state[..., :2], state[..., 2:]
    if pos.min() < POS_LOW or pos.max() > POS_HIGH:
        raise ValueError(f"options['state'] positions must lie in [{POS_LOW}, {POS_HIGH}], got "
                         f"[{pos.min()}, {pos.max()}]")
    if np.abs(vel).max() > MAX_SPEED:
        raise ValueError(f"options['state'] velocities must lie in [-{MAX_SPEED}, {MAX_SPEED}], got "
                         f"[{vel.min()}, {vel.max()}]")
    shape_idxs = np.asarray(shape_idxs)
    if shape_idxs.shape != (*batch_shape, n_objects) or not np.issubdtype(shape_idxs.dtype, np.integer):
        raise ValueError(f"options['shape_idxs'] must be ints of shape {(*batch_shape, n_objects)}, "
                         f"got {shape_idxs.dtype} {shape_idxs.shape}")
    if shape_idxs.min() < 0 or shape_idxs.max() >= len(SHAPE_NAMES):
        raise ValueError(f"options['shape_idxs'] must lie in 0..{len(SHAPE_NAMES) - 1}: {SHAPE_NAMES}")
    return state, shape_idxs.astype(np.int64)


class SpritesSimulation:
    """B sprites worlds stepped together: motion, rewards and observations in one NumPy computation.

    n_distractors: 0, 1, 2. follow: reward 1 - d/sqrt(2) (True) or d/sqrt(2) (repel).
    obs_type: "image" -> float32 (B, 64, 64) in [0, 1]; "state" -> float32 (B, 2n) positions.
    """

    def __init__(self, batch_size, n_distractors=0, follow=True, obs_type="image", resolution=64):
        check_n_distractors(n_distractors)
        if obs_type not in OBS_TYPES:
            raise ValueError(f"obs_type={obs_type!r} is not valid; choose one of {OBS_TYPES}")
        self.batch_size = batch_size
        self.n_distractors = n_distractors
        self.n_objects = 2 + n_distractors
        self.follow = bool(follow)
        self.obs_type = obs_type
        self.resolution = resolution
        self.state = np.zeros((batch_size, self.n_objects, 4))
        self.shape_idxs = np.zeros((batch_size, self.n_objects), dtype=np.int64)
        self.shape_idxs[:, 0], self.shape_idxs[:, 1] = AGENT_SHAPE, TARGET_SHAPE

    def reset(self, rng, mask=None):
        """Draw new states and distractor shapes for the worlds where mask (B,) is True (all if None)."""
        count = self.batch_size if mask is None else int(mask.sum())
        index = slice(None) if mask is None else mask
        self.state[index] = sample_states(rng, (count, self.n_objects))
        self.shape_idxs[index] = sample_shape_idxs(rng, count, self.n_distractors)

    def set_state(self, state, shape_idxs):
        """Set the exact state (B, n, 4) and shape_idxs (B, n) (validated by check_initial_state)."""
        self.state[:] = state
        self.shape_idxs[:] = shape_idxs

    def step(self, actions):
        """Agent velocity <- actions (B, 2) * max_speed, then one motion step. Returns rewards (B,)."""
        self.state[:, 0, 2:] = actions * MAX_SPEED
        self.state = motion_step(self.state)
        return self.rewards()

    def rewards(self):
        """(B,) float64 follow or repel reward of the current positions."""
        distance = np.linalg.norm(self.state[:, 0, :2] - self.state[:, 1, :2], axis=-1) / SQRT2
        return 1.0 - distance if self.follow else distance

    def observe(self):
        """float32 (B, 64, 64) images in [0, 1], or (B, 2n) positions."""
        if self.obs_type == "state":
            return self.state[:, :, :2].reshape(self.batch_size, -1).astype(np.float32)
        canvas = render(self.state[:, :, :2], self.shape_idxs, self.resolution)
        return canvas.astype(np.float32) / np.float32(255)

    def render_rgb(self):
        """uint8 (B, R, R, 3) RGB frames of the current scenes."""
        canvas = render(self.state[:, :, :2], self.shape_idxs, self.resolution)
        return np.repeat(canvas[..., None], 3, axis=-1)
