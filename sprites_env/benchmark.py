"""Speed of the environments and of the trajectory generator (`python main.py benchmark_env`)."""
import time

import gymnasium as gym
import numpy as np

import sprites_env  # noqa: F401  (registers the ids)
from sprites_datagen import TrajectoryGenerator


def _rate(fn, count_per_call, min_seconds):
    """Calls of fn repeated for at least min_seconds (after one warm-up call) -> counts per second."""
    fn()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        fn()
        calls += 1
    return calls * count_per_call / (time.perf_counter() - start)


def benchmark_env(env_ids=("Sprites-v0", "Sprites-v2", "SpritesState-v0", "SpritesState-v2"),
                  num_envs=(1, 8, 64), batch_size=64, seq_len=30, n_distractors=2, seconds=1.0):
    """Print env steps/s of the single env and of the vector env, and generator trajectories/s."""
    env_ids = (env_ids,) if isinstance(env_ids, str) else tuple(env_ids)
    num_envs = (num_envs,) if isinstance(num_envs, int) else tuple(num_envs)
    for env_id in env_ids:
        sprites_env.env_kwargs(env_id)
    print(f"{'env':<18}{'mode':<12}{'num_envs':>9}{'steps/s':>12}")
    rng = np.random.default_rng(0)
    for env_id in env_ids:
        env = gym.make(env_id)
        env.reset(seed=0)
        actions = rng.uniform(-1, 1, size=(1000, 2))

        def single_step(env=env, state={"t": 0}):
            state["t"] += 1
            if env.step(actions[state["t"] % 1000])[3]:
                env.reset()

        print(f"{env_id:<18}{'single':<12}{1:>9}{_rate(single_step, 1, seconds):>12,.0f}")
        for n in num_envs:
            vec = gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point")
            vec.reset(seed=0)
            batch_actions = rng.uniform(-1, 1, size=(n, 2))
            rate = _rate(lambda vec=vec, a=batch_actions: vec.step(a), n, seconds)
            print(f"{env_id:<18}{'vector':<12}{n:>9}{rate:>12,.0f}")
    generator = TrajectoryGenerator(n_distractors=n_distractors, seq_len=seq_len, seed=0)
    per_second = _rate(lambda: generator.sample(batch_size), batch_size, seconds)
    print(f"generator: {per_second:,.0f} trajectories/s ({seq_len} frames, {n_distractors + 2} objects); "
          f"{1000 * batch_size / per_second:.1f} ms per batch of {batch_size}")
