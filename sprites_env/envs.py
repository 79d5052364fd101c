"""Single gymnasium environment of the sprites world (one SpritesSimulation with B = 1)."""
import gymnasium as gym

from .core import SpritesSimulation, check_actions, check_initial_state
from .spaces import action_space, observation_space

MAX_EPISODE_STEPS = 40


class SpritesEnv(gym.Env):
    """The agent (circle) follows (or repels) the target (square) among 0-2 distractors.

    Observation: float32 (64, 64) image in [0, 1], or float32 (2 * n_objects,) positions.
    Action: (2,) agent velocity in units of max_speed, clipped to [-1, 1] by the dynamics.
    Episodes last max_episode_steps steps and end with truncated=True.
    reset(options={"state": (n, 4), "shape_idxs": (n,)}) starts from that exact state.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(self, n_distractors=0, follow=True, obs_type="image", max_episode_steps=MAX_EPISODE_STEPS,
                 render_mode=None):
        self.sim = SpritesSimulation(1, n_distractors, follow, obs_type)
        self.observation_space = observation_space(obs_type, self.sim.n_objects)
        self.action_space = action_space()
        self.max_episode_steps = max_episode_steps
        self.render_mode = render_mode
        self.elapsed_steps = 0

    @property
    def state(self):
        """The current (n, 4) state: (p0, p1, v0, v1) per object, agent first."""
        return self.sim.state[0].copy()

    @property
    def shape_idxs(self):
        """(n,) shape index per object."""
        return self.sim.shape_idxs[0].copy()

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        options = options or {}
        self.sim.reset(self.np_random)  # distractor shapes drawn here unless options give them
        if "state" in options:
            state, shapes = check_initial_state(
                options["state"], options.get("shape_idxs", self.sim.shape_idxs[0]), (), self.sim.n_objects)
            self.sim.set_state(state[None], shapes[None])
        self.elapsed_steps = 0
        return self.sim.observe()[0], {}

    def step(self, action):
        reward = self.sim.step(check_actions(action, None)[None])[0]
        self.elapsed_steps += 1
        truncated = self.elapsed_steps >= self.max_episode_steps
        return self.sim.observe()[0], float(reward), False, truncated, {}

    def render(self):
        """uint8 (64, 64, 3) RGB image of the current scene."""
        return self.sim.render_rgb()[0]
