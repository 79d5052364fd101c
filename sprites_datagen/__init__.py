"""The sprites world: motion, rendering, rewards and the trajectory generator."""
from .generator import TrajectoryBatch, TrajectoryGenerator, TrajectoryStream, generate_states
from .preprocess import to_encoder_input
from .rendering import render, shape_templates
from .rewards import REWARDS, check_reward_names, compute_rewards
from .world import MAX_SPEED, OBJ_SIZE, RESOLUTION, SHAPE_NAMES, motion_step, sample_states

__all__ = [
    "MAX_SPEED", "OBJ_SIZE", "RESOLUTION", "REWARDS", "SHAPE_NAMES", "TrajectoryBatch",
    "TrajectoryGenerator", "TrajectoryStream", "check_reward_names", "compute_rewards",
    "generate_states", "motion_step", "render", "sample_states", "shape_templates", "to_encoder_input",
]
