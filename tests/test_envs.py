"""The gymnasium environments against the reference traces, and their contract."""
import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import sprites_env
from sprites_env import ENV_IDS


def env_id_of(traces, key):
    family = "Sprites" if traces[key + "follow"] else "SpritesRepel"
    return f"{family}-v{int(traces[key + 'n_distractors'])}"


@pytest.mark.parametrize("case", range(24))
def test_env_reproduces_reference_trace(traces, case):
    key = f"env{case:03d}_"
    env = gym.make(env_id_of(traces, key))
    obs, _ = env.reset(seed=0, options={"state": traces[key + "reset_state"],
                                        "shape_idxs": traces[key + "shape_idxs"]})
    np.testing.assert_array_equal((obs * 255).astype(np.uint8), traces[key + "reset_image"])
    for t, action in enumerate(traces[key + "actions"]):
        obs, reward, terminated, truncated, _ = env.step(action)
        np.testing.assert_allclose(env.unwrapped.state, traces[key + "states"][t], atol=1e-9, rtol=0)
        assert reward == pytest.approx(traces[key + "rewards"][t], abs=1e-6)
        np.testing.assert_array_equal((obs * 255).astype(np.uint8), traces[key + "images"][t])
        assert (terminated or truncated) == traces[key + "dones"][t]
    assert truncated and not terminated


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_check_env_passes(env_id):
    check_env(gym.make(env_id).unwrapped)


def test_state_observation_is_positions_agent_first():
    env = gym.make("SpritesState-v2")
    obs, _ = env.reset(seed=1)
    np.testing.assert_allclose(obs, env.unwrapped.state[:, :2].reshape(-1), rtol=1e-6)
    assert env.render().shape == (64, 64, 3)


def test_no_out_of_date_warning():
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import importlib
        importlib.reload(sprites_env)
        gym.make("Sprites-v0")
    assert not [w for w in caught if "out of date" in str(w.message)]


@pytest.mark.parametrize("env_id", ["Sprites-v2", "SpritesRepelState-v1"])
def test_vector_env_matches_single_envs(env_id):
    num_envs = 5
    vec = gym.make_vec(env_id, num_envs=num_envs, vectorization_mode="vector_entry_point")
    assert isinstance(vec, sprites_env.SpritesVectorEnv)
    vec.reset(seed=3)
    start, shapes = vec.unwrapped.state, vec.unwrapped.sim.shape_idxs.copy()
    singles = [gym.make(env_id) for _ in range(num_envs)]
    single_obs = [e.reset(options={"state": start[i], "shape_idxs": shapes[i]})[0] for i, e in enumerate(singles)]
    vec_obs, _ = vec.reset(options={"state": start, "shape_idxs": shapes})
    np.testing.assert_array_equal(vec_obs, np.stack(single_obs))
    rng = np.random.default_rng(0)
    for t in range(45):
        actions = rng.uniform(-1.5, 1.5, size=(num_envs, 2))
        vec_obs, vec_rew, _, vec_trunc, info = vec.step(actions)
        if t >= 40:
            continue  # the vector env has reset itself; the singles would need a reset
        steps = [e.step(a) for e, a in zip(singles, actions)]
        expected_obs = np.stack([s[0] for s in steps])
        np.testing.assert_allclose(vec_rew, [s[1] for s in steps], atol=1e-12)
        assert list(vec_trunc) == [s[3] for s in steps]
        if t < 39:
            np.testing.assert_array_equal(vec_obs, expected_obs)
        else:  # same-step autoreset: the final observation is in info
            assert info["_final_obs"].all()
            np.testing.assert_array_equal(info["final_obs"], expected_obs)
            assert not np.array_equal(vec_obs, expected_obs)


def test_seeding_makes_runs_identical():
    def run(seed):
        vec = gym.make_vec("Sprites-v1", num_envs=3, vectorization_mode="vector_entry_point")
        obs, _ = vec.reset(seed=seed)
        history = [obs]
        for _ in range(50):
            history.append(vec.step(np.full((3, 2), 0.3))[0])
        return np.stack(history)
    assert np.array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(8))
    single = [gym.make("SpritesState-v1").reset(seed=4)[0] for _ in range(2)]
    assert np.array_equal(*single)


def test_bad_input_is_rejected_with_reason():
    env = gym.make("SpritesState-v1")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        env.step(np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match="shape"):
        env.reset(options={"state": np.full((2, 4), 0.5)})
    with pytest.raises(ValueError, match="positions"):
        env.reset(options={"state": np.array([[0.5, 0.95, 0, 0]] * 3)})
    with pytest.raises(ValueError, match="velocities"):
        env.reset(options={"state": np.array([[0.5, 0.5, 0.2, 0]] * 3)})
    with pytest.raises(ValueError, match="valid ids"):
        sprites_env.env_kwargs("Sprites-v7")
    with pytest.raises(ValueError, match="valid ids"):
        sprites_env.make_vector_env("Sprite-v0", 2)


def test_state_option_without_shapes_draws_triangle_distractors():
    env = gym.make("Sprites-v2")
    env.reset(seed=0, options={"state": np.full((4, 4), 0.5) * [1, 1, 0, 0]})
    shapes = env.unwrapped.shape_idxs
    assert list(shapes[:2]) == [1, 0] and all(2 <= s <= 5 for s in shapes[2:])
