"""The main job runs end to end (at its tiny size) through the CLI and its outputs reload."""
import subprocess
import sys
from pathlib import Path

import pytest

from model import load_pretrained
from spinup.runs import load_runs
from spinup.test_policy import load_policy

ROOT = Path(__file__).resolve().parents[1]


def test_pipeline_tiny_end_to_end(tmp_path):
    out = tmp_path / "pipe"
    result = subprocess.run([sys.executable, "main.py", "pipeline", "--preset=tiny", f"--out_dir={out}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ["returns.png", "rollout.gif", "rollout.png", "encoder/model.pt"]:
        assert (out / name).stat().st_size > 0, name
    load_pretrained(out / "encoder", kind="reward_prediction")
    (run,) = load_runs(out / "ppo")
    assert run.agent == "reward-prediction" and run.env_id == "Sprites-v0"
    policy = load_policy(str(run.path))
    policy.reset()
    assert "rollout GIF" in result.stdout


def test_unknown_preset_and_flag_are_rejected():
    bad_preset = subprocess.run([sys.executable, "main.py", "pipeline", "--preset=huge"], cwd=ROOT,
                                capture_output=True, text=True)
    assert bad_preset.returncode != 0 and "huge" in bad_preset.stderr and "small" in bad_preset.stderr
    bad_flag = subprocess.run([sys.executable, "main.py", "pipeline", "--presets=tiny", "--out_dir=/nonexistent/x"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad_flag.returncode != 0 and "unknown flag '--presets'" in bad_flag.stderr
    assert not Path("/nonexistent/x").exists()  # rejected before any work started
    bad_command = subprocess.run([sys.executable, "main.py", "pipelin"], cwd=ROOT, capture_output=True, text=True)
    assert bad_command.returncode != 0 and "valid" in bad_command.stderr


@pytest.mark.parametrize("command", ["benchmark_env", "visualize_dataset"])
def test_help_lists_flags(command):
    result = subprocess.run([sys.executable, "main.py", command, "--help"], cwd=ROOT, capture_output=True,
                            text=True, env={"PAGER": "cat", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
