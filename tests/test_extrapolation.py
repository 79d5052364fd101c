"""The non-learned reference predictor of the encoders' MSE table (representation/extrapolation.py)."""
import json

import pytest
import torch

import train
from representation.extrapolation import PIXEL, extrapolate, pixel_readings


def test_constant_velocity_reflected_at_the_wall():
    pred = extrapolate(torch.tensor([[0.83, 0.86, 0.89]], dtype=torch.float64), 3)
    assert torch.allclose(pred, torch.tensor([[0.83, 0.86, 0.89, 0.88, 0.85, 0.82]], dtype=torch.float64))


def test_a_bounce_between_the_readings_gives_the_speed_after_it():
    # 0.16 -> 0.11 -> (0.06 reflected at 0.1) 0.14: speed 0.05, moving up after the bounce
    pred = extrapolate(torch.tensor([[0.16, 0.11, 0.14]], dtype=torch.float64), 2)
    assert torch.allclose(pred[:, 3:], torch.tensor([[0.19, 0.24]], dtype=torch.float64))
    with pytest.raises(ValueError, match="N >= 2"):
        extrapolate(torch.zeros(1, 1), 2)


def test_pixel_readings_are_pixel_centres():
    p = torch.tensor([0.1, 0.5, 0.9])
    r = pixel_readings(p)
    assert torch.all((r - p).abs() <= PIXEL / 2) and torch.allclose(r * 63 % 1, torch.full((3,), 0.5), atol=1e-4)


def test_eval_extrapolation_table(tmp_path):
    mse = train.eval_extrapolation(out_dir=str(tmp_path / "x"), n_trajectories=512)
    saved = json.loads((tmp_path / "x" / "eval.json").read_text())
    assert saved["mse"] == mse and saved["step"] is None and saved["n_future"] == 12
    assert all(2e-4 < v < 1.5e-3 for v in mse.values())  # ~8e-4: far below the encoders' 2e-3 to 4e-3
    # reading a pixel centre costs the quantisation error, 1/12 of a pixel squared
    assert all(v == pytest.approx(PIXEL ** 2 / 12, rel=0.15) for v in saved["mse_observed"].values())
    with pytest.raises(ValueError, match="positions"):
        train.eval_extrapolation(out_dir=str(tmp_path / "y"), rewards="zero")
