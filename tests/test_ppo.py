"""PPO end to end: determinism, the CLI, resume, MPI, policy loading."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from spinup import logx
from spinup.ppo import train_ppo
from spinup.test_policy import load_policy, run_episodes, test_policy as run_test_policy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = dict(epochs=3, steps_per_epoch=400, num_envs=10, minibatch_size=100, verbose=False)


def _rows(path, drop=logx.TIMING_COLUMNS):
    progress = logx.read_progress(path)
    return {k: v for k, v in progress.items() if k not in drop}


def test_same_seed_identical_progress(tmp_path):
    a = train_ppo(out_dir=str(tmp_path / "a"), **TINY)
    b = train_ppo(out_dir=str(tmp_path / "b"), **TINY)
    c = train_ppo(out_dir=str(tmp_path / "c"), seed=1, **TINY)
    assert _rows(a) == _rows(b)
    assert _rows(a) != _rows(c)
    assert list(logx.read_progress(a)) == list(logx.COLUMNS)
    assert len(logx.read_progress(a)["Epoch"]) == 3


def test_gamma_bootstrap_and_recurrent_runs(tmp_path):
    """gamma > 0 (V(final_obs) bootstraps) and rollouts longer than an episode (sequence cuts)."""
    import model as model_lib
    cfg = model_lib.ModelConfig(kind="reward_prediction")
    enc = str(tmp_path / "rp.pt")
    model_lib.save_checkpoint(enc, model_lib.build_model(cfg), cfg.to_dict(), 0)
    path = train_ppo(env="Sprites-v0", agent="reward-prediction-recurrent", encoder=enc, gamma=0.9, epochs=2,
                     steps_per_epoch=240, num_envs=3, minibatch_size=80, out_dir=str(tmp_path), verbose=False)
    progress = logx.read_progress(path)
    assert progress["EpLen"] == [40.0, 40.0] and np.isfinite(progress["LossV"]).all()
    policy = load_policy(path)
    rets, frames = run_episodes(policy, "Sprites-v0", 1, record=True)
    assert frames.shape == (41, 64, 64, 3) and 0 < rets[0] <= 40
    path = train_ppo(gamma=0.99, lam=0.9, out_dir=str(tmp_path / "g"), **TINY)
    assert np.isfinite(logx.read_progress(path)["AverageVVals"]).all()


def test_cli_run_writes_loadable_outputs(tmp_path):
    cmd = [sys.executable, "main.py", "train_ppo", "--env=SpritesState-v1", "--epochs=2",
           "--steps_per_epoch=400", "--num_envs=10", f"--out_dir={tmp_path}", "--exp_name=cli",
           "--hidden=32,32", "--verbose=False"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)
    run = tmp_path / "cli" / "cli_s0"
    config = logx.load_config(str(run))
    assert config["env"] == "SpritesState-v1" and config["hidden"] == [32, 32]
    assert "train_ppo" in config["command_line"]
    assert len(logx.read_progress(str(run))["Epoch"]) == 2
    ckpt = logx.load_checkpoint(str(run))
    assert ckpt["epoch"] == 2 and ckpt["step"] == 800 and {"state_dict", "optimizer", "config"} <= set(ckpt)
    policy = load_policy(str(run))
    policy.reset()
    assert policy(np.full(6, 0.5, np.float32)).shape == (2,)
    mean = run_test_policy(str(run), episodes=2, gif=str(tmp_path / "r.gif"), png=str(tmp_path / "r.png"))
    assert 0 < mean <= 40 and (tmp_path / "r.gif").exists() and (tmp_path / "r.png").exists()
    bad = subprocess.run(cmd[:3] + ["--agent=nope", f"--out_dir={tmp_path}"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode != 0 and "unknown agent" in bad.stderr


def test_resume_ends_where_unbroken_run_ends(tmp_path):
    full = train_ppo(out_dir=str(tmp_path / "full"), **dict(TINY, epochs=4))
    part = train_ppo(out_dir=str(tmp_path / "part"), **dict(TINY, epochs=2))
    # a kill after the progress row of epoch 2 but before its checkpoint: the row is redone
    with open(os.path.join(part, "progress.txt"), "a") as f:
        f.write("\t".join(["2"] + ["0"] * (len(logx.COLUMNS) - 1)) + "\n")
    resumed = train_ppo(out_dir=str(tmp_path / "part"), resume=True, **dict(TINY, epochs=4))
    assert resumed == part
    assert _rows(full) == _rows(resumed)
    with pytest.raises(ValueError, match="other flags"):
        train_ppo(out_dir=str(tmp_path / "part"), resume=True, lr=0.1, **dict(TINY, epochs=5))


def test_killed_cli_run_resumes(tmp_path):
    """SIGKILL a CLI run mid-way, resume it with the same command: same numbers as an unbroken run."""
    args = ["--epochs=20", "--steps_per_epoch=400", "--num_envs=10", "--minibatch_size=100", "--verbose=False"]
    cmd = [sys.executable, "main.py", "train_ppo", *args, f"--out_dir={tmp_path}", "--exp_name=k"]
    run = tmp_path / "k" / "k_s0"
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import time
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if (run / "model.pt").exists() and (run / "progress.txt").read_text().count("\n") >= 4:
                break
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
    assert len(logx.read_progress(str(run))["Epoch"]) < 20  # killed mid-way
    subprocess.run(cmd + ["--resume"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    full = train_ppo(out_dir=str(tmp_path / "full"), **dict(TINY, epochs=20))
    assert _rows(str(run)) == _rows(full)


@pytest.mark.skipif(shutil.which("mpiexec") is None, reason="needs mpiexec")
def test_mpi_two_ranks(tmp_path):
    pytest.importorskip("mpi4py")
    cmd = [sys.executable, "main.py", "train_ppo", "--cpu=2", "--epochs=2", "--steps_per_epoch=400",
           "--num_envs=10", "--minibatch_size=100", f"--out_dir={tmp_path}", "--exp_name=mpi", "--verbose=False"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    progress = logx.read_progress(str(tmp_path / "mpi" / "mpi_s0"))
    assert progress["TotalEnvInteracts"] == [400.0, 800.0] and progress["EpLen"] == [40.0, 40.0]
    assert load_policy(str(tmp_path / "mpi" / "mpi_s0")) is not None


def test_benchmark_ppo_runs(tmp_path):
    from spinup.benchmark import benchmark_ppo
    out = tmp_path / "bench.json"
    result = benchmark_ppo(agents="oracle,reward-prediction", epochs=2, steps_per_epoch=400, out=str(out))
    assert set(result) == {"oracle", "reward-prediction"} and all(v > 0 for v in result.values())
    assert out.exists()
    with pytest.raises(ValueError, match="unknown agent"):
        benchmark_ppo(agents="nope")


@pytest.mark.slow
def test_oracle_learns(tmp_path):
    """Oracle PPO beats the random policy (~28) by far and nears the greedy chaser within 100k steps."""
    path = train_ppo(epochs=25, out_dir=str(tmp_path), verbose=False)
    assert np.mean(logx.read_progress(path)["AverageEpRet"][-5:]) > 37.0
