"""The whole story at a small size (`python main.py pipeline`): pretrain an encoder, train a
reward-prediction agent on Sprites-v0, plot its curve, write a rollout GIF, say where everything is.

preset "small" (default) runs in minutes on a laptop CPU; "tiny" is the CI smoke size; "full" runs
the experiment scripts of scripts/ (hours: pretraining, every baseline, plots, rollouts).
"""
import os
import subprocess
import time

from spinup.plot import plot
from spinup.ppo import train_ppo
from spinup.test_policy import test_policy
from train import eval_encoder, train_encoder

PRESETS = {  # encoder steps, PPO epochs, PPO steps per epoch, test episodes
    "tiny": {"encoder_steps": 4, "encoder_batch": 4, "epochs": 2, "steps_per_epoch": 200, "episodes": 1},
    "small": {"encoder_steps": 1500, "encoder_batch": 32, "epochs": 40, "steps_per_epoch": 4000, "episodes": 10},
}
FULL_STUDY = ("scripts/pretrain_encoders.sh", "scripts/ppo_oracle.sh", "scripts/ppo_comparison.sh",
              "scripts/plots_and_rollouts.sh")


def pipeline(preset="small", out_dir="logs/pipeline", seed=0):
    """Run the pipeline at `preset` ("tiny", "small" or "full"), writing under out_dir."""
    if preset == "full":
        for script in FULL_STUDY:
            print(f"== {script}")
            subprocess.run(["bash", script], check=True)
        return None
    if preset not in PRESETS:
        raise ValueError(f"preset={preset!r} is not valid; choose one of {(*PRESETS, 'full')}")
    size = PRESETS[preset]
    start = time.time()
    encoder_dir = os.path.join(out_dir, "encoder")
    train_encoder(n_distractors=0, steps=size["encoder_steps"], batch_size=size["encoder_batch"], seed=seed,
                  out_dir=encoder_dir)
    eval_encoder(path=encoder_dir, n_trajectories=256)
    run_dir = train_ppo(env="Sprites-v0", agent="reward-prediction", encoder=encoder_dir, seed=seed,
                        epochs=size["epochs"], steps_per_epoch=size["steps_per_epoch"],
                        out_dir=os.path.join(out_dir, "ppo"), exp_name="reward_prediction_v0", verbose=False)
    curve = plot(logdir=os.path.join(out_dir, "ppo"), out=os.path.join(out_dir, "returns.png"), smooth=1)
    gif = os.path.join(out_dir, "rollout.gif")
    test_policy(run_dir, episodes=size["episodes"], gif=gif, png=os.path.join(out_dir, "rollout.png"))
    print(f"\npipeline ({preset}) done in {time.time() - start:.0f} s")
    for what, where in [("encoder checkpoint + eval", encoder_dir), ("PPO run (progress.txt, config.json)", run_dir),
                        ("learning curve", curve), ("rollout GIF", gif)]:
        print(f"  {what:<38}{where}")
    return run_dir
