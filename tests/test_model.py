"""Shapes, gradients and checkpoints of model.py (fast, CPU)."""
import pytest
import torch

import model
from model import Autoencoder, DetachedDecoder, Encoder, ModelConfig, RewardPredictor, load_pretrained
from representation.losses import StepData, detached_decoder_loss, reward_prediction_loss
from sprites_datagen import TrajectoryGenerator, to_encoder_input

REWARDS = ("agent_x", "agent_y", "target_x", "target_y")


def frames(*lead):
    return torch.rand(*lead, 1, 64, 64) * 2 - 1


@pytest.mark.parametrize("lead", [(5,), (2, 3), (1, 2, 2)])
def test_encoder_decoder_shapes(lead):
    enc, dec = Encoder(), model.Decoder()
    z = enc(frames(*lead))
    assert z.shape == (*lead, 64)
    assert dec(z).shape == (*lead, 1, 64, 64)
    assert Encoder(latent_dim=16)(frames(*lead)).shape == (*lead, 16)


def test_encoder_equals_its_plain_convolution_stack_with_the_same_gradients():
    torch.manual_seed(0)
    enc, x = model.build_model(ModelConfig()).encoder, frames(6)
    out, plain = enc(x), enc.fc(enc.convs(x).flatten(1))
    assert torch.allclose(out, plain, atol=1e-5)
    names, params = zip(*enc.named_parameters())
    grads = torch.autograd.grad(out.pow(2).sum(), params)
    for name, grad, plain_grad in zip(names, grads, torch.autograd.grad(plain.pow(2).sum(), params)):
        assert torch.allclose(grad, plain_grad, rtol=1e-4, atol=1e-5), name
    last = dict(zip(names, grads))["convs.10.weight"]  # the sixth convolution
    assert last[:, :, 0].abs().sum() == 0 and last[:, :, :, 0].abs().sum() == 0  # taps on the padding


def test_encoder_rejects_wrong_image_shape():
    with pytest.raises(ValueError, match="1, 64, 64"):
        Encoder()(torch.zeros(2, 3, 64, 64))


@pytest.mark.parametrize("n_cond,n_future", [(1, 1), (3, 12), (2, 7), (3, 27)])
def test_reward_predictor_shapes(n_cond, n_future):
    m = RewardPredictor(ModelConfig(rewards=REWARDS, n_cond=n_cond, n_future=n_future))
    assert isinstance(m.encoder, Encoder) and isinstance(m.lstm, torch.nn.LSTM)
    assert m.lstm.num_layers == 1 and m.lstm.batch_first
    assert set(m.heads) == set(REWARDS)
    x = frames(2, n_cond + n_future)
    out = m(x)
    assert set(out) == set(REWARDS) and all(v.shape == (2, n_future) for v in out.values())
    # the frames after the first N are never looked at
    x2 = x.clone()
    x2[:, n_cond:] = 1.0
    out_cond_only = m(x[:, :n_cond])
    for name in REWARDS:
        assert torch.allclose(out[name], m(x2)[name])
        assert torch.allclose(out[name], out_cond_only[name])
    assert m(x, n_future=4)["agent_x"].shape == (2, 4)
    with pytest.raises(ValueError):
        m(x[:, : n_cond - 1] if n_cond > 1 else x[:, :0])


def test_zero_input_unroll_equals_the_lstm_on_zeros():
    torch.manual_seed(0)
    m = RewardPredictor(ModelConfig())
    x = torch.randn(5, 3, 32)
    out = m.unroll(x, 7)
    cond, state = m.lstm(x)
    expected = torch.cat([cond, m.lstm(torch.zeros(5, 7, 32), state)[0]], dim=1)
    assert out.shape == (5, 10, 64) and torch.allclose(out, expected, atol=1e-6)
    assert m.unroll(x, 0).shape == (5, 3, 64)


def test_lstm_features_step_by_step_equals_sequence():
    m = RewardPredictor(ModelConfig())
    x = frames(3, 5)
    out, (h, c) = m.lstm_features(x)
    assert out.shape == (3, 5, 64) and h.shape == (1, 3, 64) and c.shape == (1, 3, 64)
    state, outs = None, []
    for t in range(5):
        o, state = m.lstm_features(x[:, t : t + 1], state)
        outs.append(o)
    assert torch.allclose(torch.cat(outs, 1), out, atol=1e-5)
    assert torch.allclose(state[0], h, atol=1e-5)


@pytest.mark.parametrize("n_distractors", [0, 1, 2])
def test_loss_on_generated_data(n_distractors):
    m = RewardPredictor(ModelConfig(n_distractors=n_distractors, n_cond=2, n_future=3))
    batch = TrajectoryGenerator(n_distractors=n_distractors, seq_len=8, seed=1).sample(2)
    loss, metrics = reward_prediction_loss(m, batch)
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert set(metrics) == {f"mse_{r}" for r in REWARDS}
    with pytest.raises(ValueError, match="shorter"):
        reward_prediction_loss(m, TrajectoryGenerator(seq_len=4).sample(1))


@pytest.mark.parametrize("aux_weight", [0.0, 1.0])
def test_loss_never_encodes_the_last_t_frames_unless_asked(aux_weight):
    torch.manual_seed(0)
    m = RewardPredictor(ModelConfig(n_cond=2, n_future=3))
    batch = TrajectoryGenerator(seq_len=8, seed=2).sample(3)
    changed = TrajectoryGenerator(seq_len=8, seed=2).sample(3)
    changed.canvas = changed.canvas.copy()
    changed.canvas[:, 5:] = 255  # the last T = 3 frames: targets only
    loss = reward_prediction_loss(m, batch, aux_weight)[0]
    assert torch.equal(loss, reward_prediction_loss(m, changed, aux_weight)[0])
    all_frames = reward_prediction_loss(m, changed, aux_weight, aux_all_frames=True)[0]
    assert torch.equal(all_frames, loss) == (aux_weight == 0.0)


def test_autoencoder_shapes():
    ae = Autoencoder(ModelConfig(kind="reconstruction"))
    assert ae(frames(4)).shape == (4, 1, 64, 64)
    assert ae(frames(2, 3)).shape == (2, 3, 1, 64, 64)


def test_loss_falls_when_overfitting_one_batch():
    torch.manual_seed(0)
    m = RewardPredictor(ModelConfig(n_cond=2, n_future=3))
    batch = TrajectoryGenerator(seq_len=6, seed=3).sample(4)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    first = None
    for _ in range(80):
        loss, _ = reward_prediction_loss(m, batch)
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.2 * first


def test_detached_decoder_gradient_stops_at_representation():
    m = RewardPredictor(ModelConfig())
    dec = DetachedDecoder(ModelConfig(kind="detached_decoder"))
    batch = StepData(0, 2, seq_len=2)(0)
    # even when the encoder is not frozen, the decoder's loss gives it no gradient
    z = m.encoder(to_encoder_input(batch.images, "dataset").reshape(-1, 1, 64, 64))
    dec(z).pow(2).mean().backward()
    assert all(p.grad is None for p in m.encoder.parameters())
    assert all(p.grad is not None for p in dec.parameters())
    loss, _ = detached_decoder_loss(dec, m.encoder, batch)
    loss.backward()
    assert all(p.grad is None for p in m.encoder.parameters())


def test_load_pretrained_roundtrip_and_errors(tmp_path):
    cfg = ModelConfig(rewards=("agent_x",), n_cond=2, n_future=4).to_dict()
    m = RewardPredictor(cfg)
    path = tmp_path / "model.pt"
    model.save_checkpoint(path, m, cfg, step=7)
    loaded, config = load_pretrained(path, kind="reward_prediction")
    assert config["n_future"] == 4 and config["rewards"] == ["agent_x"]
    x = frames(1, 6)
    assert torch.allclose(loaded(x)["agent_x"], m.eval()(x)["agent_x"])
    assert load_pretrained(tmp_path)[1] == config  # a run folder holding model.pt
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        load_pretrained(tmp_path / "missing.pt")
    with pytest.raises(ValueError, match="reconstruction"):
        load_pretrained(path, kind="reconstruction")
    with pytest.raises(ValueError, match="kind"):
        load_pretrained(path, kind="nonsense")
    bad = {**cfg, "lstm_hidden": 32}
    model.save_checkpoint(tmp_path / "bad.pt", m, bad, step=1)
    with pytest.raises(ValueError, match="does not match"):
        load_pretrained(tmp_path / "bad.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="junk.pt"):
        load_pretrained(tmp_path / "junk.pt")


def test_checkpoint_is_written_atomically_and_small(tmp_path):
    cfg = ModelConfig().to_dict()
    path = tmp_path / "model.pt"
    model.save_checkpoint(path, RewardPredictor(cfg), cfg, step=1)
    assert not (tmp_path / "model.pt.tmp").exists()
    assert path.stat().st_size < 1_000_000
    ckpt = torch.load(path, weights_only=True)
    assert set(ckpt) == {"state_dict", "config", "step", "optimizer"}


@pytest.mark.parametrize("kind", ["reward_prediction", "reconstruction"])
def test_build_model_uses_channels_last_with_unchanged_outputs(kind):
    torch.manual_seed(0)
    net = model.build_model(ModelConfig(kind=kind))
    convs = [m for m in net.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    assert convs and all(m.weight.is_contiguous(memory_format=torch.channels_last) for m in convs)
    plain = type(net)(net.config)
    plain.load_state_dict(net.state_dict())
    for m in plain.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            m.weight.data = m.weight.data.contiguous()
    x = torch.rand(6, 1, 64, 64) * 2 - 1
    with torch.no_grad():
        assert torch.allclose(net.encoder(x), plain.encoder(x), atol=1e-5)
