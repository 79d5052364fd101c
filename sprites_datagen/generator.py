"""Vectorised generator of reward-annotated trajectories, and a PyTorch iterable over its batches."""
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from .rendering import render
from .rewards import check_reward_names, compute_rewards
from .world import check_n_distractors, motion_step, sample_shape_idxs, sample_states


@dataclass
class TrajectoryBatch:
    """One batch of trajectories, ready for the model.

    canvas: (B, T, 64, 64) uint8 numpy frames as rendered (0 black, 255 white).
    images: (B, T, 3, 64, 64) float32 in [-1, 1] (the three channels are one expanded channel),
    converted from canvas on first access.
    states: (B, T, n, 2) float32 positions (p0 row, p1 column).
    rewards: {name: (B, T) float32}.
    shape_idxs: (B, n) int64.
    """

    canvas: np.ndarray
    states: torch.Tensor
    rewards: dict
    shape_idxs: torch.Tensor

    @cached_property
    def images(self):
        return canvas_to_dataset_images(self.canvas)

    @property
    def seq_len(self):
        return self.canvas.shape[1]

    def encoder_frames(self, stop=None):
        """The first `stop` frames (all if None) as encoder input, (B, stop, 1, 64, 64) float32 in [-1, 1].

        Equal to to_encoder_input(images[:, :stop], "dataset"), converting only those frames.
        """
        return canvas_to_encoder_input(self.canvas[:, :stop])


def generate_states(rng, batch_size, seq_len, n_objects):
    """States of free-moving objects: float64 (B, T, n, 4), each keeping its own velocity."""
    states = np.empty((batch_size, seq_len, n_objects, 4))
    states[:, 0] = sample_states(rng, (batch_size, n_objects))
    for t in range(1, seq_len):
        states[:, t] = motion_step(states[:, t - 1])
    return states


def canvas_to_encoder_input(canvas):
    """uint8 (..., R, R) canvas -> float32 torch (..., 1, R, R) in [-1, 1]."""
    return torch.from_numpy(canvas).float().div_(127.5).sub_(1).unsqueeze(-3)


def canvas_to_dataset_images(canvas):
    """uint8 (..., R, R) canvas -> float32 torch (..., 3, R, R) in [-1, 1], an expanded view."""
    images = canvas_to_encoder_input(canvas)
    return images.expand(*images.shape[:-3], 3, *images.shape[-2:])


class TrajectoryGenerator:
    """Seeded generator of whole batches of trajectories in one vectorised call.

    n_distractors: 0, 1 or 2 (objects: agent circle, target square, distractor triangles).
    seq_len: frames per trajectory. rewards: names from sprites_datagen.rewards.REWARDS.
    n_objects: override the object count (1 gives a single moving circle, as for the method's Figure 2).
    """

    def __init__(self, n_distractors=0, seq_len=30, rewards=("agent_x", "agent_y", "target_x", "target_y"),
                 seed=0, resolution=64, n_objects=None):
        check_n_distractors(n_distractors)
        if not isinstance(seq_len, int) or seq_len < 1:
            raise ValueError(f"seq_len must be a positive int, got {seq_len!r}")
        self.reward_names = check_reward_names(rewards)
        self.n_objects = 2 + n_distractors if n_objects is None else int(n_objects)
        if self.n_objects < 1:
            raise ValueError(f"n_objects must be >= 1, got {n_objects!r}")
        if self.n_objects < 2 and any(n.startswith("target") for n in self.reward_names):
            raise ValueError(f"rewards {self.reward_names} need a target, but n_objects={self.n_objects}")
        self.n_distractors = max(self.n_objects - 2, 0)
        self.seq_len = seq_len
        self.resolution = resolution
        self.rng = np.random.default_rng(seed)

    def sample(self, batch_size):
        """A TrajectoryBatch of batch_size trajectories."""
        shape_idxs = sample_shape_idxs(self.rng, batch_size, self.n_distractors)[:, : self.n_objects]
        positions = generate_states(self.rng, batch_size, self.seq_len, self.n_objects)[..., :2]
        canvas = render(positions, shape_idxs[:, None, :], self.resolution)
        return TrajectoryBatch(
            canvas=canvas,
            states=torch.from_numpy(positions.astype(np.float32)),
            rewards={k: torch.from_numpy(v) for k, v in compute_rewards(positions, self.reward_names).items()},
            shape_idxs=torch.from_numpy(shape_idxs),
        )


class TrajectoryStream(torch.utils.data.IterableDataset):
    """Endless iterable of TrajectoryBatch of batch_size, from a TrajectoryGenerator(**generator_kwargs)."""

    def __init__(self, batch_size=64, **generator_kwargs):
        self.batch_size = batch_size
        self.generator = TrajectoryGenerator(**generator_kwargs)

    def __iter__(self):
        while True:
            yield self.generator.sample(self.batch_size)
