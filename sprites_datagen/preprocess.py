"""The one image convention of the encoder: both dataset images and env observations map here.

Encoder input: float32 torch (..., 1, 64, 64) in [-1, 1] (black 0 -> -1, white 255 -> +1).
"""
import numpy as np
import torch

IMAGE_SOURCES = ("dataset", "env")


def to_encoder_input(images, source):
    """Map images to the encoder's input (..., 1, R, R) float32 in [-1, 1].

    source="dataset": (..., 3, R, R) in [-1, 1] (TrajectoryBatch.images); channel 0 is kept.
    source="env": (..., R, R) image observations in [0, 1] (Sprites-v*), numpy or torch.
    The same scene gives the same tensor from both sources.
    """
    if source not in IMAGE_SOURCES:
        raise ValueError(f"source={source!r} is not valid; choose one of {IMAGE_SOURCES}")
    images = torch.as_tensor(np.asarray(images) if not torch.is_tensor(images) else images)
    if source == "dataset":
        if images.ndim < 3 or images.shape[-3] != 3:
            raise ValueError(f"dataset images must have shape (..., 3, R, R), got {tuple(images.shape)}")
        return images[..., :1, :, :].float()
    if images.ndim < 2 or images.shape[-1] != images.shape[-2]:
        raise ValueError(f"env image observations must have shape (..., R, R), got {tuple(images.shape)}")
    return (images.float() * 2 - 1).unsqueeze(-3)
