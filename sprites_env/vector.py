"""Native batched vector environment: all sub-envs advance in one NumPy computation."""
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from .core import SpritesSimulation, check_actions, check_initial_state
from .envs import MAX_EPISODE_STEPS
from .spaces import action_space, observation_space


class SpritesVectorEnv(VectorEnv):
    """num_envs sprites worlds with same-step autoreset.

    step() returns obs (num_envs, *obs_shape); a sub-env whose episode ended this step
    (truncated=True after max_episode_steps) already shows the first obs of its next episode, while
    info["final_obs"] holds every sub-env's observation before any reset and info["_final_obs"] marks
    the ended ones. reset(options={"state": (num_envs, n, 4), "shape_idxs": (num_envs, n)}) sets states.
    """

    metadata = {"render_modes": ["rgb_array"], "autoreset_mode": AutoresetMode.SAME_STEP}

    def __init__(self, num_envs=1, n_distractors=0, follow=True, obs_type="image",
                 max_episode_steps=MAX_EPISODE_STEPS, render_mode=None):
        if not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
        self.num_envs = int(num_envs)
        self.sim = SpritesSimulation(self.num_envs, n_distractors, follow, obs_type)
        self.single_observation_space = observation_space(obs_type, self.sim.n_objects)
        self.single_action_space = action_space()
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.max_episode_steps = max_episode_steps
        self.render_mode = render_mode
        self.elapsed_steps = np.zeros(self.num_envs, dtype=np.int64)
        self._np_random = None

    @property
    def state(self):
        """The current (num_envs, n, 4) states."""
        return self.sim.state.copy()

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        options = options or {}
        self.sim.reset(self.np_random)  # distractor shapes drawn here unless options give them
        if "state" in options:
            self.sim.set_state(*check_initial_state(
                options["state"], options.get("shape_idxs", self.sim.shape_idxs), (self.num_envs,),
                self.sim.n_objects))
        self.elapsed_steps[:] = 0
        return self.sim.observe(), {}

    def step(self, actions):
        rewards = self.sim.step(check_actions(actions, self.num_envs))
        self.elapsed_steps += 1
        truncated = self.elapsed_steps >= self.max_episode_steps
        obs = self.sim.observe()
        info = {}
        if truncated.any():
            info = {"final_obs": obs.copy(), "_final_obs": truncated.copy()}
            self.sim.reset(self.np_random, truncated)
            self.elapsed_steps[truncated] = 0
            obs[truncated] = self.sim.observe()[truncated]
        return obs, rewards, np.zeros(self.num_envs, dtype=bool), truncated, info

    def render(self):
        """uint8 (num_envs, 64, 64, 3) RGB frames."""
        return self.sim.render_rgb()
