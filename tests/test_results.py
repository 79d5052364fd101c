"""Plots and results tables read runs from progress.txt + config.json only."""
import json

import numpy as np
import pytest

from spinup.plot import plot
from spinup.results import results, results_table
from spinup.runs import load_runs


def write_run(root, agent, env_id, seed, returns, steps_per_epoch=1000):
    path = root / f"{agent}_{env_id}" / f"{agent}_{env_id}_s{seed}"
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"agent": agent, "env": env_id, "seed": seed}))
    rows = ["Epoch\tAverageEpRet\tTotalEnvInteracts"]
    rows += [f"{e}\t{r}\t{(e + 1) * steps_per_epoch}" for e, r in enumerate(returns)]
    (path / "progress.txt").write_text("\n".join(rows) + "\n")


@pytest.fixture
def logdir(tmp_path):
    for seed, offset in enumerate([-1.0, 0.0, 1.0]):
        write_run(tmp_path, "fast", "Sprites-v0", seed, np.linspace(30, 38, 20) + offset)
        write_run(tmp_path, "slow", "Sprites-v0", seed, np.linspace(28, 36, 20) + offset)
    write_run(tmp_path, "fast", "Sprites-v2", 0, np.full(20, 33.0))
    return tmp_path


def test_table_has_mean_std_and_steps_to_threshold(logdir):
    table = results_table(logdir, last=10, threshold=35, smooth=1)
    fast = next(line for line in table.splitlines() if line.startswith("| fast"))
    cells = [c.strip() for c in fast.strip("|").split("|")]
    expected_final = np.linspace(30, 38, 20)[-10:].mean()
    assert cells[1].startswith(f"{expected_final:.2f} ± {np.std([-1, 0, 1]):.2f} (n=3, 20k)")
    assert cells[2] == "—" and cells[3].startswith("33.00 ± 0.00 (n=1")
    first = np.nonzero(np.linspace(30, 38, 20) >= 35)[0][0]
    assert cells[4] == f"{(first + 1):.0f}k" and cells[6] == "not reached"


def test_results_rewrites_only_the_marked_block(logdir, tmp_path):
    readme = tmp_path / "README_CLVR.md"
    readme.write_text("intro\n<!-- results:Sprites begin -->\nold\n<!-- results:Sprites end -->\noutro\n")
    results(logdir, envs="Sprites", readme=str(readme), smooth=1)
    text = readme.read_text()
    assert "old" not in text and "| fast |" in text and text.startswith("intro") and text.endswith("outro\n")


def test_plot_writes_png_and_rejects_unknown_agent(logdir, tmp_path):
    out = plot(logdir, out=str(tmp_path / "p.png"), smooth=3)
    assert (tmp_path / "p.png").stat().st_size > 10_000
    assert out.endswith("p.png")
    with pytest.raises(ValueError, match="nobody.*found"):
        plot(logdir, out=str(tmp_path / "q.png"), agents="nobody")
    assert len(load_runs(logdir)) == 7


def test_encoder_table_lists_every_reward(tmp_path):
    from spinup.results import encoder_table
    for name, d, mse, step in [("reward_prediction_d0", 0, 0.001, 100), ("reward_prediction_d2", 2, 0.003, 100),
                               ("extrapolation", 0, 0.0008, None)]:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "eval.json").write_text(json.dumps({
            "mse": {"agent_x": mse, "target_y": mse / 2}, "n_distractors": d, "step": step, "n_cond": 3,
            "n_future": 12, "n_trajectories": 64, "seed": 9}))
    table = encoder_table(tmp_path)
    assert "| reward_prediction_d0 | 0 | 100 | 0.00100 | 0.00050 |" in table
    assert "| reward_prediction_d2 | 2 | 100 | 0.00300 | 0.00150 |" in table
    assert "| extrapolation | 0 | — | 0.00080 | 0.00040 |" in table
    with pytest.raises(ValueError, match="eval.json"):
        encoder_table(tmp_path / "nothing")
    other = json.loads((tmp_path / "reward_prediction_d2" / "eval.json").read_text())
    (tmp_path / "reward_prediction_d2" / "eval.json").write_text(json.dumps({**other, "n_future": 27}))
    with pytest.raises(ValueError, match="differ in"):
        encoder_table(tmp_path)


def test_longer_runs_also_report_the_return_at_the_budget(tmp_path):
    for seed in range(2):
        write_run(tmp_path, "long", "Sprites-v0", seed, np.r_[np.full(10, 30.0), np.full(10, 36.0)])
    table = results_table(tmp_path, last=5, threshold=35, smooth=1, budget=10_000)
    cell = next(line for line in table.splitlines() if line.startswith("| long")).split("|")[2].strip()
    assert cell == "36.00 ± 0.00 (n=2, 20k; at 10k: 30.00 ± 0.00)"


def test_two_runs_with_the_same_seed_are_an_error(logdir):
    write_run(logdir / "ablation", "fast", "Sprites-v0", 1, np.full(20, 33.0))
    with pytest.raises(ValueError, match="two runs of fast on Sprites-v0 with seed 1"):
        results_table(logdir)


def test_block_prefix_writes_a_second_folder_into_its_own_block(logdir, tmp_path):
    readme = tmp_path / "README_CLVR.md"
    readme.write_text("<!-- results:Sprites begin -->\nmain\n<!-- results:Sprites end -->\n"
                      "<!-- results:ablation:Sprites begin -->\nold\n<!-- results:ablation:Sprites end -->\n")
    results(logdir, envs="Sprites", readme=str(readme), smooth=1, encoders=None, block_prefix="ablation:")
    text = readme.read_text()
    assert "main" in text and "old" not in text and text.count("| fast |") == 1
