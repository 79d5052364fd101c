"""Reward-induced representation learning (CLVR): encoder, LSTM reward predictor, decoders.

Images enter every module as float32 (..., 1, 64, 64) in [-1, 1]: the output of
`sprites_datagen.to_encoder_input` (the one image convention of this project).

Architecture (the method's Figure 5):
- Encoder: six 3x3 convolutions, stride 2, padding 1, each halving the resolution
  (64 -> 32 -> 16 -> 8 -> 4 -> 2 -> 1) with 4, 8, 16, 32, 64, 128 channels, LeakyReLU(0.2) after
  each (no normalisation); the final 1x1x128 feature -> linear -> latent_dim (64), no activation.
- MLPs: 3 linear layers, 32 hidden units, LeakyReLU(0.2) between them.
- On CPU the input gradients of the 4 -> 8 and 8 -> 16 channel convolutions run as forward
  convolutions (representation.strided_conv; same numbers up to float rounding, 1.5-3x faster there).
- Init: Kaiming-normal weights, zero biases for every conv / linear layer (see init_weights).
- RewardPredictor: each frame -> encoder -> frame_mlp -> one LSTM step. The LSTM's time index is the
  trajectory's: its output at step t is mapped by each reward head to that reward at step t.
  It observes the N conditioning frames (steps 0..N-1), then is unrolled for T future steps with
  zero inputs (future frames are never seen), so the outputs at steps N..N+T-1 predict the future
  rewards from the past frames only. Outputs at observed steps predict the current reward, so the
  LSTM output after each observed frame holds the positions and its state their velocities.
- Decoder: mirror of the encoder: linear latent -> 1x1x128, six 3x3 transposed convolutions,
  stride 2 (128 -> 64 -> 32 -> 16 -> 8 -> 4 -> 1 channels, 1 -> 64 pixels), LeakyReLU between,
  no output activation (trained by MSE against images in [-1, 1]).
"""
import os
from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn

from atomic_io import atomic_torch_save
from representation.strided_conv import strided_conv

KINDS = ("reward_prediction", "reconstruction", "detached_decoder")
ENCODER_CHANNELS = (4, 8, 16, 32, 64, 128)
# convolutions (0-based) whose input gradient runs as a forward convolution (representation.strided_conv):
# 4 -> 8 and 8 -> 16 channels, where oneDNN's own input gradient is slowest on CPU
FAST_INPUT_GRAD_LAYERS = (1, 2)
RESOLUTION = 64


@dataclass
class ModelConfig:
    """Everything needed to rebuild a model from a checkpoint (no pickled classes)."""

    kind: str = "reward_prediction"  # one of KINDS
    rewards: tuple = ("agent_x", "agent_y", "target_x", "target_y")  # one head per reward
    n_distractors: int = 0  # distractors in the training data (0, 1, 2)
    n_objects: int = None  # object-count override of the data (1: a single circle, Figure 2)
    n_cond: int = 3  # N: conditioning frames the predictor observes
    n_future: int = 12  # T: future steps the LSTM is unrolled for (N + T <= 30)
    latent_dim: int = 64  # size of the representation
    mlp_hidden: int = 32  # hidden units of every 3-layer MLP
    lstm_input: int = 32  # frame_mlp output = LSTM input size
    lstm_hidden: int = 64  # LSTM hidden size H

    @classmethod
    def from_dict(cls, d):
        """Build from a (checkpoint) dict, ignoring training-only keys."""
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in names}
        if "rewards" in kwargs:
            kwargs["rewards"] = tuple(kwargs["rewards"])
        return cls(**kwargs)

    def to_dict(self):
        d = asdict(self)
        d["rewards"] = list(self.rewards)
        return d


def _config(config):
    return ModelConfig.from_dict(config) if isinstance(config, dict) else config


def init_weights(module):
    """Kaiming-normal (LeakyReLU 0.2) weights and zero biases for every conv / linear layer.

    Keeps the activations' scale through the deep path encoder -> frame_mlp -> LSTM -> head; with
    PyTorch's default init the predictor sat at the mean reward for thousands of steps.
    """
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, a=0.2, nonlinearity="leaky_relu")
            nn.init.zeros_(m.bias)
    return module


def mlp(n_in, n_out, hidden=32):
    """3-layer MLP n_in -> hidden -> hidden -> n_out, LeakyReLU(0.2) between layers."""
    return nn.Sequential(
        nn.Linear(n_in, hidden), nn.LeakyReLU(0.2),
        nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
        nn.Linear(hidden, n_out),
    )


class Encoder(nn.Module):
    """(..., 1, 64, 64) float in [-1, 1] -> (..., latent_dim) representation."""

    def __init__(self, latent_dim=64):
        super().__init__()
        layers, c_in = [], 1
        for c_out in ENCODER_CHANNELS:
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.LeakyReLU(0.2)]
            c_in = c_out
        self.convs = nn.Sequential(*layers)
        self.fc = nn.Linear(ENCODER_CHANNELS[-1], latent_dim)
        self.latent_dim = latent_dim
        init_weights(self)

    def forward(self, x):
        if x.shape[-3:] != (1, RESOLUTION, RESOLUTION):
            raise ValueError(f"Encoder expects (..., 1, 64, 64) images, got {tuple(x.shape)}")
        lead = x.shape[:-3]
        h = x.reshape(-1, 1, RESOLUTION, RESOLUTION)
        for i in range(len(ENCODER_CHANNELS) - 1):  # (B', 1, 64, 64) -> (B', 64, 2, 2)
            conv, act = self.convs[2 * i], self.convs[2 * i + 1]
            h = act(strided_conv(h, conv) if i in FAST_INPUT_GRAD_LAYERS else conv(h))
        # The last convolution maps 2x2 -> 1x1: with padding 1 only the kernel's lower-right 2x2 taps
        # meet the input, so it is a linear layer on those taps (same result; on CPU the convolution's
        # backward pass costs 5x more).
        last = self.convs[-2]
        h = self.convs[-1](F.linear(h.flatten(1), last.weight[:, :, 1:, 1:].flatten(1), last.bias))
        return self.fc(h).reshape(*lead, self.latent_dim)


class Decoder(nn.Module):
    """(..., latent_dim) -> (..., 1, 64, 64) image in (about) [-1, 1]; mirror of the Encoder."""

    def __init__(self, latent_dim=64):
        super().__init__()
        chans = ENCODER_CHANNELS[::-1] + (1,)  # 128, 64, 32, 16, 8, 4, 1
        self.fc = nn.Linear(latent_dim, chans[0])
        layers = [nn.LeakyReLU(0.2)]
        for i, (c_in, c_out) in enumerate(zip(chans[:-1], chans[1:])):
            layers.append(nn.ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=1))
            if i < len(chans) - 2:
                layers.append(nn.LeakyReLU(0.2))
        self.deconvs = nn.Sequential(*layers)
        self.latent_dim = latent_dim
        init_weights(self)

    def forward(self, z):
        lead = z.shape[:-1]
        h = self.fc(z.reshape(-1, self.latent_dim))[:, :, None, None]
        return self.deconvs(h).reshape(*lead, 1, RESOLUTION, RESOLUTION)


def lstm_on_zero_inputs(lstm, state, n_steps):
    """Outputs (B, n_steps, H) of a single-layer nn.LSTM run on zero inputs from state (h, c), each (1, B, H).

    With zero inputs the gates are h @ W_hh^T + b_ih + b_hh: the same result as lstm(zeros, state)
    without the input projection (the unroll's forward and backward ~25% faster on CPU).
    """
    h, c = state[0][0], state[1][0]
    w_hh, bias = lstm.weight_hh_l0.t(), lstm.bias_ih_l0 + lstm.bias_hh_l0
    outs = []
    for _ in range(n_steps):
        i, f, g, o = torch.addmm(bias, h, w_hh).chunk(4, dim=1)  # nn.LSTM's gate order
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs, dim=1) if outs else h.new_zeros(h.shape[0], 0, h.shape[1])


class RewardPredictor(nn.Module):
    """Encoder + frame MLP + single-layer LSTM + one MLP head per reward (see the module docstring)."""

    def __init__(self, config):
        super().__init__()
        self.config = c = _config(config)
        self.encoder = Encoder(c.latent_dim)
        self.frame_mlp = mlp(c.latent_dim, c.lstm_input, c.mlp_hidden)
        self.lstm = nn.LSTM(c.lstm_input, c.lstm_hidden, num_layers=1, batch_first=True)
        self.heads = nn.ModuleDict({name: mlp(c.lstm_hidden, 1, c.mlp_hidden) for name in c.rewards})
        init_weights(self)

    def frame_features(self, frames):
        """frames (B, L, 1, 64, 64) -> LSTM inputs (B, L, lstm_input)."""
        return self.frame_mlp(self.encoder(frames))

    def lstm_features(self, frames, state=None):
        """Encode each frame, frame_mlp, run the LSTM over the L frames from `state`.

        frames: (B, L, 1, 64, 64) in [-1, 1]; state: (h, c) each (1, B, H), or None for zeros.
        Returns out (B, L, H) and the new (h, c). The output after a frame predicts (through the
        heads) the rewards of that frame; the state carries what the unroll needs (velocities).
        """
        return self.lstm(self.frame_features(frames), state)

    def unroll(self, x_cond, n_future):
        """x_cond (B, N, lstm_input) -> LSTM outputs (B, N + n_future, H).

        The LSTM observes the N inputs, then runs n_future more steps on zero inputs.
        """
        out_cond, state = self.lstm(x_cond)
        return torch.cat([out_cond, lstm_on_zero_inputs(self.lstm, state, n_future)], dim=1)

    def predict_heads(self, out):
        """LSTM outputs (..., H) -> {reward name: (...)}."""
        return {name: head(out).squeeze(-1) for name, head in self.heads.items()}

    def forward(self, frames, n_future=None):
        """frames (B, N + T, 1, 64, 64) or (B, N, ...) -> {reward name: (B, T) predictions}.

        Only the first N = config.n_cond frames are seen; the predictions are for steps N..N+T-1
        (T = config.n_future unless n_future is given).
        """
        n, t = self.config.n_cond, self.config.n_future if n_future is None else n_future
        if frames.ndim != 5 or frames.shape[1] < n:
            raise ValueError(f"RewardPredictor expects (B, L >= {n}, 1, 64, 64), got {tuple(frames.shape)}")
        out = self.unroll(self.frame_features(frames[:, :n]), t)
        return self.predict_heads(out[:, n:])


class Autoencoder(nn.Module):
    """Image-reconstruction baseline: Encoder + Decoder; forward(x (..., 1, 64, 64)) -> reconstruction."""

    def __init__(self, config):
        super().__init__()
        self.config = c = _config(config)
        self.encoder = Encoder(c.latent_dim)
        self.decoder = Decoder(c.latent_dim)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class DetachedDecoder(nn.Module):
    """A Decoder trained on a frozen encoder's representation (gradients stop at the representation)."""

    def __init__(self, config):
        super().__init__()
        self.config = c = _config(config)
        self.decoder = Decoder(c.latent_dim)

    def forward(self, z):
        return self.decoder(z.detach())


MODEL_CLASSES = {"reward_prediction": RewardPredictor, "reconstruction": Autoencoder,
                 "detached_decoder": DetachedDecoder}


def build_model(config):
    """A fresh model of config.kind.

    Convolution weights use the channels_last memory format: oneDNN then runs the thin convolutions
    (1 -> 4 -> 8 channels at 64x64 / 32x32) about 2-3x faster on CPU; results are the same up to
    float rounding.
    """
    c = _config(config)
    if c.kind not in MODEL_CLASSES:
        raise ValueError(f"unknown model kind {c.kind!r}; valid: {KINDS}")
    return MODEL_CLASSES[c.kind](c).to(memory_format=torch.channels_last)


def save_checkpoint(path, model, config, step, optimizer=None):
    """Write {"state_dict", "config", "step", "optimizer"} atomically (atomic_io)."""
    ckpt = {"state_dict": model.state_dict(), "config": dict(config), "step": int(step),
            "optimizer": None if optimizer is None else optimizer.state_dict()}
    atomic_torch_save(ckpt, path)


def load_checkpoint(path):
    """The checkpoint dict at path (weights_only); FileNotFoundError / ValueError naming the path."""
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "model.pt")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint at {path!r}")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any unreadable file is reported the same way
        raise ValueError(f"cannot read checkpoint {path!r}: {err}") from err
    missing = {"state_dict", "config", "step"} - set(ckpt) if isinstance(ckpt, dict) else {"everything"}
    if missing:
        raise ValueError(f"checkpoint {path!r} lacks {sorted(missing)}")
    return ckpt


def load_pretrained(path, kind=None):
    """Rebuild a model from a checkpoint (file, or run folder holding model.pt) -> (model, config dict).

    kind: None (any), "reward_prediction", "reconstruction" or "detached_decoder". Raises
    FileNotFoundError for a missing file and ValueError for a wrong kind or a state_dict that does
    not match the config, each naming the path. The model is returned in eval mode.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not valid; choose None or one of {KINDS}")
    ckpt = load_checkpoint(path)
    config = ckpt["config"]
    if kind is not None and config.get("kind") != kind:
        raise ValueError(f"checkpoint {os.fspath(path)!r} holds a {config.get('kind')!r} model, not {kind!r}")
    try:
        model = build_model(config)
        model.load_state_dict(ckpt["state_dict"])
    except (RuntimeError, TypeError, ValueError) as err:
        raise ValueError(f"checkpoint {os.fspath(path)!r}: state_dict does not match its config: {err}") from err
    return model.eval(), config
