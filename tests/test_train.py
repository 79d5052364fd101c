"""train.py commands end to end on tiny runs in a temporary folder (fast, CPU)."""
import json
import os
import subprocess
import sys

import pytest
import torch

import train
from model import load_pretrained
from representation import losses
from representation.figure2 import blob_centroids, corr
from representation.runs import read_progress
from sprites_datagen import to_encoder_input

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = dict(n_cond=2, n_future=3, seq_len=6, batch_size=2, ckpt_every=2, log_every=1, threads=None)


def tiny_encoder(out_dir, **kwargs):
    return train.train_encoder(**{**TINY, "steps": 4, "out_dir": str(out_dir), **kwargs})


def test_train_encoder_writes_a_run_folder_that_reloads(tmp_path):
    run = tmp_path / "rp"
    tiny_encoder(run, rewards="agent_x,target_y", n_distractors=1)
    assert {"config.json", "progress.csv", "model.pt"} <= set(os.listdir(run))
    saved = json.loads((run / "config.json").read_text())
    assert saved["config"]["rewards"] == ["agent_x", "target_y"] and "command" in saved
    assert [r["step"] for r in read_progress(run / "progress.csv")] == [1, 2, 3, 4]
    model, config = load_pretrained(run, kind="reward_prediction")
    assert config["n_distractors"] == 1
    ckpt = torch.load(run / "model.pt", weights_only=True)
    assert ckpt["step"] == 4 and ckpt["optimizer"] is None  # the finished run keeps only the weights
    mse = train.eval_encoder(str(run), n_trajectories=8)
    assert set(mse) == {"agent_x", "target_y"}
    result = json.loads((run / "eval.json").read_text())
    assert result["mse"] == mse and len(result["mse_by_step"]["agent_x"]) == 3
    assert set(result["mse_observed"]) == set(mse)
    batch = next(train._eval_batches(config, 8, train.EVAL_SEED, config["n_cond"] + config["n_future"]))
    with torch.no_grad():
        future = model(to_encoder_input(batch.images, "dataset"))  # the model's own forward
    expected = ((future["agent_x"] - batch.rewards["agent_x"][:, config["n_cond"]:]) ** 2).mean().item()
    assert mse["agent_x"] == pytest.approx(expected, rel=1e-5)
    assert train.plot_losses(str(run)).endswith("losses.png") and (run / "losses.png").exists()


def test_eval_encoder_on_another_distractor_count(tmp_path):
    run = tmp_path / "rp"
    tiny_encoder(run, n_distractors=1)
    mse = train.eval_encoder(str(run), n_trajectories=8, n_distractors=2)
    result = json.loads((run / "eval_d2.json").read_text())
    assert result["n_distractors"] == 2 and result["mse"] == mse and not (run / "eval.json").exists()
    assert mse != train.eval_encoder(str(run), n_trajectories=8)  # the 1-distractor data differ
    with pytest.raises(ValueError, match="n_distractors=3 .*0, 1, 2"):
        train.eval_encoder(str(run), n_trajectories=8, n_distractors=3)


def test_resume_continues_from_the_saved_step_with_the_same_loss(tmp_path, monkeypatch):
    tiny_encoder(tmp_path / "straight", steps=6)
    calls = {"n": 0}
    original = losses.StepData.__call__

    def interrupted(self, step):
        calls["n"] += 1
        if step == 3 and calls["n"] == 4:
            raise KeyboardInterrupt
        return original(self, step)

    monkeypatch.setattr(losses.StepData, "__call__", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tiny_encoder(tmp_path / "resumed", steps=6)
    ckpt = torch.load(tmp_path / "resumed" / "model.pt", weights_only=True)
    assert ckpt["step"] == 3 and ckpt["optimizer"] is not None
    tiny_encoder(tmp_path / "resumed", steps=6)
    straight = read_progress(tmp_path / "straight" / "progress.csv")
    resumed = read_progress(tmp_path / "resumed" / "progress.csv")
    assert [r["step"] for r in resumed] == [1, 2, 3, 4, 5, 6]
    for a, b in zip(straight, resumed):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)


def test_bad_flags_and_checkpoints_give_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown reward"):
        tiny_encoder(tmp_path / "a", rewards="agent_x,agent_z")
    with pytest.raises(ValueError, match="n_distractors"):
        tiny_encoder(tmp_path / "a", n_distractors=3)
    with pytest.raises(ValueError, match="does not fit"):
        tiny_encoder(tmp_path / "a", n_future=10)
    with pytest.raises(ValueError, match="need a target"):
        tiny_encoder(tmp_path / "a", rewards="target_x", n_objects=1)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        train.eval_encoder(str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="nowhere"):
        train.train_decoder(encoder=str(tmp_path / "nowhere"))
    tiny_encoder(tmp_path / "b", steps=2)
    with pytest.raises(ValueError, match="rewards"):  # resuming with another config
        tiny_encoder(tmp_path / "b", steps=4, rewards="agent_x")
    train.train_reconstruction(steps=2, batch_size=2, seq_len=2, out_dir=str(tmp_path / "ae"), threads=None)
    with pytest.raises(ValueError, match="reward_prediction"):
        train.eval_encoder(str(tmp_path / "ae"))


def test_decoder_reconstruction_and_visualization(tmp_path):
    tiny_encoder(tmp_path / "rp", steps=2)
    dec = train.train_decoder(encoder=str(tmp_path / "rp"), steps=2, batch_size=2, seq_len=2, threads=None)
    assert dec == os.path.join(str(tmp_path / "rp"), "decoder")
    model, config = load_pretrained(dec, kind="detached_decoder")
    assert config["encoder"] == os.path.normpath(str(tmp_path / "rp"))
    assert os.path.exists(train.visualize_decoder(dec, n_frames=4))
    ae = train.train_reconstruction(steps=2, batch_size=2, seq_len=2, out_dir=str(tmp_path / "ae"), threads=None)
    assert os.path.exists(train.visualize_decoder(ae, n_frames=3))
    with pytest.raises(ValueError, match="decoder or reconstruction"):
        train.visualize_decoder(str(tmp_path / "rp"))


def test_blob_centroids_and_corr():
    img = -torch.ones(3, 1, 64, 64)
    img[0, 0, 10:14, 40:44] = 1
    img[1, 0, :, 20:22] = 1  # a vertical stripe: column known, row centred
    img[2, 0, 50:60, 5:9] = 1
    cent = blob_centroids(img)
    assert cent[0].tolist() == pytest.approx([11.5 / 63, 41.5 / 63], abs=1e-4)
    assert cent[1].tolist() == pytest.approx([0.5, 20.5 / 63], abs=1e-4)
    assert corr([1, 2, 3], [2, 4, 6.5]) > 0.99 and corr([1, 1, 1], [1, 2, 3]) == 0.0


def test_benchmark_runs():
    assert train.benchmark(steps=1, warmup=1, batch_size=2, seq_len=15) > 0
    assert train.benchmark(steps=1, warmup=1, batch_size=2, seq_len=15, amp=True) > 0
    assert train.benchmark(steps=1, warmup=1, batch_size=2, seq_len=15, aux_all_frames=True, profile=True) > 0
    assert train.benchmark(steps=1, warmup=1, batch_size=2, seq_len=15, n_future=12, lstm_hidden=16,
                           aux_weight=0) > 0
    with pytest.raises(ValueError, match="does not fit seq_len"):
        train.benchmark(steps=1, warmup=1, batch_size=2, seq_len=15, n_future=13)


def test_step_flops_counts_forward_and_backward():
    linear, conv = torch.nn.Linear(8, 4), torch.nn.Conv2d(2, 3, 3, padding=1)
    x, images = torch.randn(5, 8), torch.randn(1, 2, 4, 4)
    flops = train.step_flops(lambda: linear(x).sum() + conv(images).sum())
    # forward 2 * 5 * 8 * 4; backward the same for the weight gradient (x needs none)
    assert flops["matrix products"] == 2 * (2 * 5 * 8 * 4)
    # forward 2 * 16 pixels * 3 * (2 * 9); backward the same for the weight gradient
    assert flops["convolutions"] == 2 * (2 * 16 * 3 * 18)


def test_cli_rejects_unknown_flags_and_runs(tmp_path):
    cmd = [sys.executable, "main.py", "train_encoder", "--steps=1", "--batch_size=1", "--seq_len=5",
           "--n_cond=2", "--n_future=3", f"--out_dir={tmp_path / 'cli'}"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert load_pretrained(tmp_path / "cli")[1]["seq_len"] == 5
    # out_dir given: python-fire may run the command before it reports the unknown flag
    bad = subprocess.run(cmd + ["--stepz=1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "stepz" in bad.stderr + bad.stdout


def test_finished_run_extends_from_its_full_checkpoint(tmp_path):
    run = tmp_path / "rp"
    tiny_encoder(run, steps=2)
    assert torch.load(run / "resume.pt", weights_only=True)["optimizer"] is not None
    tiny_encoder(run, steps=4)
    assert [r["step"] for r in read_progress(run / "progress.csv")] == [1, 2, 3, 4]
    assert torch.load(run / "model.pt", weights_only=True)["step"] == 4


def test_init_from_another_run(tmp_path):
    tiny_encoder(tmp_path / "a", steps=2)
    tiny_encoder(tmp_path / "b", steps=1, n_distractors=1, init_from=str(tmp_path / "a"))
    assert json.loads((tmp_path / "b" / "config.json").read_text())["config"]["init_from"].endswith("a")
    with pytest.raises(ValueError, match=r"init_from.*\[.rewards.\]"):
        tiny_encoder(tmp_path / "c", steps=1, rewards="agent_x", init_from=str(tmp_path / "a"))


def test_init_from_a_run_with_another_lstm_size_takes_the_encoder_and_frame_mlp(tmp_path):
    tiny_encoder(tmp_path / "a", steps=2)
    tiny_encoder(tmp_path / "b", steps=1, lr=1e-12, lstm_hidden=16, init_from=str(tmp_path / "a"))
    start, _ = load_pretrained(tmp_path / "a", kind="reward_prediction")
    model, config = load_pretrained(tmp_path / "b", kind="reward_prediction")
    assert config["lstm_hidden"] == 16 and model.lstm.hidden_size == 16
    for part in ("encoder", "frame_mlp"):
        for (name, p), q in zip(getattr(model, part).named_parameters(), getattr(start, part).parameters()):
            assert torch.allclose(p, q, atol=1e-9), name
    with pytest.raises(ValueError, match="lstm_hidden must be a positive integer, got 0"):
        tiny_encoder(tmp_path / "c", lstm_hidden=0)


def test_figure2_pipeline_on_a_tiny_run(tmp_path):
    report = train.figure2(out_dir=str(tmp_path / "fig2"), encoder_steps=2, decoder_steps=2, batch_size=2,
                           n_eval=16, threads=None)
    for reward in ("horizontal_position", "vertical_position"):
        assert -1 <= report[reward]["corr_column"] <= 1 and -1 <= report[reward]["corr_row"] <= 1
    assert json.loads((tmp_path / "fig2" / "figure2.json").read_text())["pass"] == report["pass"]
    assert (tmp_path / "fig2" / "figure2.png").exists() and (tmp_path / "fig2" / "figure2_scatter.png").exists()


FIG2 = os.path.join(ROOT, "logs", "figure2")


@pytest.mark.skipif(not os.path.exists(os.path.join(FIG2, "figure2.json")), reason="no committed Figure-2 run")
def test_committed_figure2_decoders_follow_only_their_axis():
    """Recompute the Figure-2 correlations of the committed decoders on fresh held-out frames."""
    from representation.figure2 import measure
    got = {}
    for reward in ("horizontal_position", "vertical_position"):
        decode = train.load_decoding(os.path.join(FIG2, reward, "decoder"))[0]
        got[reward] = measure(decode, 512, seed=123)[0]
    assert got["horizontal_position"]["corr_column"] >= 0.9, got
    assert abs(got["horizontal_position"]["corr_row"]) <= 0.3, got
    assert got["vertical_position"]["corr_row"] >= 0.9, got
    assert abs(got["vertical_position"]["corr_column"]) <= 0.3, got
