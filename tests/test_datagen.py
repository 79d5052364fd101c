"""The trajectory generator against the reference traces, and its contract."""
import numpy as np
import pytest
import torch

from sprites_datagen import REWARDS, TrajectoryGenerator, compute_rewards, render, to_encoder_input
from sprites_datagen.world import motion_step

# this project's reward names -> the reference code's names (it swaps the two position rewards)
REFERENCE_NAMES = {
    "zero": "zero", "agent_x": "agent_x", "agent_y": "agent_y", "target_x": "target_x", "target_y": "target_y",
    "vertical_position": "horizontal_position", "horizontal_position": "vertical_position",
}


@pytest.mark.parametrize("case", range(12))
def test_renderer_and_rewards_match_reference(traces, case):
    key = f"data{case:03d}_"
    states = traces[key + "states"]
    np.testing.assert_array_equal(render(states, traces[key + "shape_idxs"]), traces[key + "images"])
    rewards = compute_rewards(states, list(REWARDS))
    for name, reference_name in REFERENCE_NAMES.items():
        np.testing.assert_allclose(rewards[name], traces[key + "starter_reward_" + reference_name], atol=1e-6)


def test_vertical_position_is_the_row():
    positions = np.array([[[0.2, 0.7], [0.5, 0.5]]])
    rewards = compute_rewards(positions, ["vertical_position", "horizontal_position"])
    assert rewards["vertical_position"][0] == pytest.approx(0.2)
    assert rewards["horizontal_position"][0] == pytest.approx(0.7)
    image = render(positions[0, :1], [1])
    rows, cols = np.nonzero(image)
    assert abs(rows.mean() / 63 - 0.2) < 0.03 and abs(cols.mean() / 63 - 0.7) < 0.03


@pytest.mark.parametrize("n_distractors", [0, 1, 2])
def test_batch_shapes_and_ranges(n_distractors):
    batch = TrajectoryGenerator(n_distractors=n_distractors, seq_len=7, seed=1).sample(5)
    n = 2 + n_distractors
    assert batch.images.shape == (5, 7, 3, 64, 64) and batch.images.dtype == torch.float32
    assert batch.images.min() == -1 and batch.images.max() == 1
    assert batch.states.shape == (5, 7, n, 2)
    assert set(batch.rewards) == {"agent_x", "agent_y", "target_x", "target_y"}
    assert all(r.shape == (5, 7) for r in batch.rewards.values())
    assert (batch.shape_idxs[:, :2] == torch.tensor([1, 0])).all() and (batch.shape_idxs[:, 2:] >= 2).all()


def test_batch_is_consistent_with_dynamics_and_renderer():
    generator = TrajectoryGenerator(n_distractors=2, seq_len=10, seed=3)
    batch = generator.sample(4)
    positions = batch.states.numpy()
    canvas = render(positions, batch.shape_idxs.numpy()[:, None, :])
    np.testing.assert_array_equal(batch.images[:, :, 0].numpy(), canvas / 127.5 - 1)
    np.testing.assert_allclose(batch.rewards["target_y"].numpy(), positions[:, :, 1, 0])
    # free motion: the velocity is the difference of positions between bounces
    step = np.diff(positions, axis=1)
    assert np.abs(step).max() <= 0.05 + 1e-6


def test_motion_bounces_off_walls():
    state = np.array([[0.88, 0.12, 0.05, -0.05]])
    moved = motion_step(state)
    np.testing.assert_allclose(moved, [[0.87, 0.13, -0.05, 0.05]])


def test_seeding_is_reproducible():
    a = TrajectoryGenerator(seed=5).sample(3)
    b = TrajectoryGenerator(seed=5).sample(3)
    c = TrajectoryGenerator(seed=6).sample(3)
    assert torch.equal(a.images, b.images) and torch.equal(a.states, b.states)
    assert not torch.equal(a.states, c.states)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="agent_z.*valid"):
        TrajectoryGenerator(rewards=["agent_z"])
    with pytest.raises(ValueError, match="n_distractors=3"):
        TrajectoryGenerator(n_distractors=3)
    with pytest.raises(ValueError, match=r"\(\.\.\., n, 2\)"):
        render(np.zeros((3, 4)), [0, 1, 2])


def test_one_image_convention_for_dataset_and_env():
    generator = TrajectoryGenerator(n_distractors=1, seq_len=4, seed=0)
    batch = generator.sample(2)
    env_obs = render(batch.states.numpy(), batch.shape_idxs.numpy()[:, None, :]).astype(np.float32) / 255
    from_dataset = to_encoder_input(batch.images, "dataset")
    from_env = to_encoder_input(env_obs, "env")
    assert from_dataset.shape == from_env.shape == (2, 4, 1, 64, 64)
    assert torch.equal(from_dataset, from_env)
    assert torch.equal(batch.encoder_frames(), from_dataset)
    assert torch.equal(batch.encoder_frames(3), from_dataset[:, :3]) and batch.seq_len == 4
    with pytest.raises(ValueError, match="source"):
        to_encoder_input(env_obs, "gym")
