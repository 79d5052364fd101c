"""A non-learned reference for the held-out MSE table: extrapolating pixel-quantised true positions.

Each position reward (one coordinate of one object) is read as the centre of the pixel it is drawn at,
(int(p * 63) + 0.5) / 63 (all that rendering keeps of it), at each of the N observed steps. The
velocity is estimated from the last three readings, and the position is moved on by it for T steps,
reflected at the walls as in the world's motion step. A bounce within the observed steps shows as two
steps of different length: the longer one is the full speed, in the direction after the bounce.
It knows which object is which and sees it even where shapes overlap, so it tells what three frames
hold about the future, not what an encoder can read from them.
"""
import torch

from sprites_datagen.world import MAX_SPEED, POS_HIGH, POS_LOW, RESOLUTION

PIXEL = 1 / (RESOLUTION - 1)


def pixel_readings(positions):
    """positions (...) in [0, 1] -> the centre of the pixel each is drawn at, same shape."""
    return (torch.floor(positions * (RESOLUTION - 1)) + 0.5) * PIXEL


def extrapolate(readings, n_future):
    """readings (B, N >= 2) of one coordinate -> predictions (B, N + n_future), the readings first."""
    if readings.shape[-1] < 2:
        raise ValueError(f"extrapolation needs N >= 2 observed steps, got {readings.shape[-1]}")
    steps = readings.diff(dim=-1)[:, -2:]  # (B, 1 or 2): the last steps between readings
    v = steps[:, -1]
    if steps.shape[-1] == 2:
        before, after = steps[:, 0], steps[:, 1]
        bounced = (before - after).abs() > 1.5 * PIXEL
        v = torch.where(bounced, torch.where(after.abs() >= before.abs(), after, -before), (before + after) / 2)
    v = v.clamp(-MAX_SPEED, MAX_SPEED)
    p, predictions = readings[:, -1], [readings]
    for _ in range(n_future):
        p = p + v
        low, high = p < POS_LOW, p > POS_HIGH
        p = torch.where(low, 2 * POS_LOW - p, torch.where(high, 2 * POS_HIGH - p, p))
        v = torch.where(low | high, -v, v)
        predictions.append(p[:, None])
    return torch.cat(predictions, dim=-1)
