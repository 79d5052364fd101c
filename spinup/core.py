"""Actor-critics for PPO on the sprites envs, behind one contract (Spinning Up's):

    step(obs) -> act (N, 2), v (N,), logp (N,)     numpy in, numpy out; obs (N, *obs_shape)
    act(obs)  -> act (N, 2)
obs as the agent sees it: env images (N, 64, 64) in [0, 1]; for the oracle the (N, 4n) output of
envs.VelocityObs. Recurrent agents also advance their LSTM state (reset_state / start_episodes).

Every agent is   obs -> embed -> body -> features -> pi MLP (mean of a Gaussian, learned
state-independent log-std) and v MLP. `embed` is the frozen, non-trained part (run under no_grad once
per env step; its output is what the rollout buffer stores), `body` the trained feature extractor,
shared by actor and critic (ONE pass). Image observations (N, 64, 64) in [0, 1] enter through
`sprites_datagen.to_encoder_input(obs, "env")` -> (N, 1, 64, 64) in [-1, 1].

agent                          embed (frozen, stored)        body (trained)           heads
oracle                         identity on state (+vel.)     identity                 pi, v: MLP hidden (64, 64)
cnn                            image -> [-1, 1]              3 conv 16x3x3/2, 2x64    linear
image-scratch                  image -> [-1, 1]              model.Encoder (random)   MLP 32, 32
image-reconstruction           pretrained AE encoder         identity                 MLP 32, 32
image-reconstruction-finetune  image -> [-1, 1]              pretrained AE encoder    MLP 32, 32
reward-prediction              pretrained RP encoder         identity                 MLP 32, 32
reward-prediction-finetune     image -> [-1, 1]              pretrained RP encoder    MLP 32, 32
reward-prediction-recurrent    RP encoder + frame_mlp        pretrained LSTM          MLP 32, 32

The recurrent agent (RecurrentActorCritic) keeps the frozen encoder and frame_mlp of the reward
predictor (features computed once per step and stored) and trains the LSTM, initialised from the
predictor, whose state carries the objects' velocities across an episode: the policy can lead the
target. Frozen: encoder + frame_mlp (speed: the conv net never runs backward, sequence replay costs
only an LSTM over 32-d inputs). Trained: LSTM (pretrained group, encoder_lr) + actor/critic MLPs.
The heads see the LSTM output and its change since the last step (motion, see the class).
Measured on Sprites-v0, 300k steps, 1 seed, a step-5400 reward-prediction encoder (training returns,
last 5 epochs): recurrent 38.08 (deterministic 38.16), the same without the change feature 37.65,
frozen feed-forward reward-prediction 37.03. With a step-1000 encoder, training the LSTM with
encoder_lr 3e-5 or 1e-3 made no difference (36.0 / 35.8). Throughput ~8,400 env steps/s vs ~13,500.
"""
import numpy as np
import torch
from torch import nn
from torch.distributions import Normal

from sprites_datagen import to_encoder_input

AGENTS = ("oracle", "cnn", "image-scratch", "image-reconstruction", "image-reconstruction-finetune",
          "reward-prediction", "reward-prediction-finetune", "reward-prediction-recurrent")
ENCODER_KIND = {"image-reconstruction": "reconstruction", "image-reconstruction-finetune": "reconstruction",
                "reward-prediction": "reward_prediction", "reward-prediction-finetune": "reward_prediction",
                "reward-prediction-recurrent": "reward_prediction"}
FROZEN_ENCODER = ("image-reconstruction", "reward-prediction", "reward-prediction-recurrent")
FINETUNE = ("image-reconstruction-finetune", "reward-prediction-finetune")


def check_agent(agent, obs_type):
    """Raise ValueError for an unknown agent or one that does not fit the env's observations."""
    if agent not in AGENTS:
        raise ValueError(f"unknown agent {agent!r}; valid: {', '.join(AGENTS)}")
    if (agent == "oracle") != (obs_type == "state"):
        need = "a state env (SpritesState-v*)" if agent == "oracle" else "an image env (Sprites-v*)"
        raise ValueError(f"agent {agent!r} needs {need}, got {obs_type} observations")


def mlp(sizes, activation=nn.Tanh, out_gain=1.0):
    """Linear layers sizes[0] -> ... -> sizes[-1], activation between, orthogonal init."""
    layers = []
    for i in range(len(sizes) - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        last = i == len(sizes) - 2
        nn.init.orthogonal_(linear.weight, out_gain if last else np.sqrt(2))
        nn.init.zeros_(linear.bias)
        layers += [linear] if last else [linear, activation()]
    return nn.Sequential(*layers)


class ImageInput(nn.Module):
    """(N, 64, 64) env images in [0, 1] -> (N, 1, 64, 64) in [-1, 1] (the encoder convention)."""

    def forward(self, obs):
        return to_encoder_input(obs, "env")


class Frozen(nn.Module):
    """Image input + a frozen module (requires_grad False, always eval mode, run under no_grad)."""

    def __init__(self, module):
        super().__init__()
        self.module = module
        for p in self.module.parameters():
            p.requires_grad_(False)

    def train(self, mode=True):  # noqa: ARG002 - frozen parts never leave eval mode
        return super().train(False)

    def forward(self, obs):
        with torch.no_grad():
            return self.module(to_encoder_input(obs, "env"))


class NatureCNN(nn.Module):
    """The cnn baseline: 3 conv layers of 16 kernels 3x3 stride 2, flatten, two 64-unit layers."""

    def __init__(self):
        super().__init__()
        self.convs = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2), nn.ReLU(), nn.Conv2d(16, 16, 3, stride=2), nn.ReLU(),
            nn.Conv2d(16, 16, 3, stride=2), nn.ReLU(), nn.Flatten())
        n_flat = self.convs(torch.zeros(1, 1, 64, 64)).shape[-1]
        self.fc = nn.Sequential(nn.Linear(n_flat, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.out_dim = 64

    def forward(self, x):
        return self.fc(self.convs(x))


class ActorCritic(nn.Module):
    """obs -> embed (frozen) -> body (trained, shared) -> Gaussian pi head, v head."""

    recurrent = False
    finetune = False  # True: body is a pretrained encoder trained with encoder_lr

    def __init__(self, embed, body, feat_dim, act_dim, pi_hidden, v_hidden, activation=nn.Tanh,
                 log_std_init=-0.5):
        super().__init__()
        self.embed_net, self.body = embed, body
        self.pi = mlp([feat_dim, *pi_hidden, act_dim], activation, out_gain=0.01)
        self.v = mlp([feat_dim, *v_hidden, 1], activation, out_gain=1.0)
        self.log_std = nn.Parameter(torch.full((act_dim,), float(log_std_init)))

    @property
    def device(self):
        return self.log_std.device

    def embed(self, obs):
        """numpy/torch obs (N, *obs_shape) -> stored input (N, ...) on self.device, no grad."""
        obs = torch.as_tensor(np.asarray(obs, dtype=np.float32), device=self.device)
        with torch.no_grad():
            return self.embed_net(obs)

    def forward(self, x):
        """Stored input (B, ...) -> mean (B, act_dim), v (B,)."""
        feat = self.body(x)
        return self.pi(feat), self.v(feat).squeeze(-1)

    def dist(self, mean):
        return Normal(mean, self.log_std.exp().expand_as(mean))

    def evaluate(self, x, act):
        """logp (B,), entropy (B,), v (B,) of stored inputs x and actions act (B, act_dim)."""
        mean, v = self(x)
        pi = self.dist(mean)
        return pi.log_prob(act).sum(-1), pi.entropy().sum(-1), v

    @torch.no_grad()
    def step_tensor(self, x, deterministic=False):
        mean, v = self(x)
        pi = self.dist(mean)
        act = mean if deterministic else pi.sample()
        return act, v, pi.log_prob(act).sum(-1)

    @torch.no_grad()
    def value_tensor(self, x):
        return self(x)[1]

    def step(self, obs):
        act, v, logp = self.step_tensor(self.embed(obs))
        return act.cpu().numpy(), v.cpu().numpy(), logp.cpu().numpy()

    def act(self, obs, deterministic=False):
        return self.step_tensor(self.embed(obs), deterministic)[0].cpu().numpy()

    def param_groups(self):
        """(pretrained trainable params, other trainable params): the encoder_lr group and the lr group."""
        pretrained = [p for p in self.body.parameters() if p.requires_grad] if self.finetune else []
        ids = {id(p) for p in pretrained}
        rest = [p for p in self.parameters() if p.requires_grad and id(p) not in ids]
        return pretrained, rest


class RecurrentActorCritic(ActorCritic):
    """Frozen encoder + frame_mlp (embed) -> trained LSTM (state across the episode) -> pi, v MLPs.

    The heads see features_t = concat(out_t, out_t - out_{t-1}) (2H): the pretrained LSTM output
    holds the objects' positions (linearly, R^2 > 0.99), so its change from the previous step is their
    motion (linear R^2 of the target's velocity 0.85 from the change vs 0.5 from out_t alone); the
    change is 0 on an episode's first step. out_{t-1} is the h of the stored LSTM input state.
    The LSTM state of the N rollout sub-envs lives in `self.state` ((h, c), each (1, N, H)) with
    `self.fresh` (N,) marking episode starts; `reset_state(N)` zeroes all, `start_episodes(mask)`
    the rows whose episode starts. step()/act() advance it by one frame; evaluate_seq() replays
    padded sequences from stored states.
    """

    recurrent = True
    finetune = True  # the LSTM is pretrained: it trains with encoder_lr

    def __init__(self, predictor, act_dim, hidden, activation=nn.Tanh, log_std_init=-0.5):
        frames = nn.Sequential(predictor.encoder, predictor.frame_mlp)
        super().__init__(Frozen(frames), predictor.lstm, 2 * predictor.lstm.hidden_size, act_dim, hidden,
                         hidden, activation, log_std_init)
        self.hidden_size = predictor.lstm.hidden_size
        self.state = self.fresh = None

    def reset_state(self, n):
        z = torch.zeros(1, n, self.hidden_size, device=self.device)
        self.state = (z, z.clone())
        self.fresh = torch.ones(n, dtype=torch.bool, device=self.device)

    def start_episodes(self, mask):
        """Zero the LSTM state of the sub-envs where mask (N,) bool is True."""
        mask = torch.as_tensor(np.asarray(mask), device=self.device)
        keep = (~mask).float()[None, :, None]
        self.state = (self.state[0] * keep, self.state[1] * keep)
        self.fresh = self.fresh | mask

    def forward_seq(self, x, state, start):
        """x (B, L, D), input state (h, c) each (1, B, H), start (B,) bool (the sequence begins an
        episode) -> mean (B, L, A), v (B, L), new state."""
        out, new_state = self.body(x, state)
        prev = torch.cat([state[0][0][:, None], out[:, :-1]], dim=1)
        first = torch.where(start[:, None], out[:, 0], prev[:, 0])
        prev = torch.cat([first[:, None], prev[:, 1:]], dim=1)
        feat = torch.cat([out, out - prev], dim=-1)
        return self.pi(feat), self.v(feat).squeeze(-1), new_state

    def evaluate_seq(self, x, act, state, start):
        """Padded sequences: x (B, L, D), act (B, L, A), input states, start (B,) -> logp, entropy, v (B, L)."""
        mean, v, _ = self.forward_seq(x, state, start)
        pi = self.dist(mean)
        return pi.log_prob(act).sum(-1), pi.entropy().sum(-1), v

    @torch.no_grad()
    def step_tensor(self, x, deterministic=False):
        if self.state is None or self.state[0].shape[1] != x.shape[0]:
            self.reset_state(x.shape[0])
        mean, v, self.state = self.forward_seq(x[:, None], self.state, self.fresh)
        self.fresh = torch.zeros_like(self.fresh)
        mean, v = mean[:, 0], v[:, 0]
        pi = self.dist(mean)
        act = mean if deterministic else pi.sample()
        return act, v, pi.log_prob(act).sum(-1)

    @torch.no_grad()
    def value_tensor(self, x):
        """V of x one step on from the current state, without advancing it (bootstrap of final obs)."""
        return self.forward_seq(x[:, None], self.state, self.fresh)[1][:, 0]


def load_encoder_model(agent, encoder, n_distractors, encoder_config=None):
    """The pretrained model for agent: from the checkpoint `encoder`, or (rebuilding a run) a fresh
    model of `encoder_config` whose weights come from the run's own checkpoint.

    Returns (model, config dict). Errors: no checkpoint given, wrong kind; a distractor-count mismatch
    between the encoder's training data and the env only warns (the dynamics are the same).
    """
    import model as model_lib

    kind = ENCODER_KIND[agent]
    if encoder_config is not None:
        return model_lib.build_model(encoder_config), dict(encoder_config)
    if not encoder:
        raise ValueError(f"agent {agent!r} needs --encoder=<checkpoint of a {kind!r} model> "
                         f"(e.g. logs/encoders/<name>/model.pt)")
    try:
        net, config = model_lib.load_pretrained(encoder, kind=kind)
    except FileNotFoundError as err:
        raise FileNotFoundError(f"agent {agent!r}: encoder checkpoint not found: {err}") from None
    except ValueError as err:
        raise ValueError(f"agent {agent!r} needs a {kind!r} encoder: {err}") from None
    trained_on = config.get("n_distractors")
    if trained_on is not None and trained_on != n_distractors:
        import warnings
        warnings.warn(f"encoder {encoder!r} was trained with {trained_on} distractors, the env has "
                      f"{n_distractors}", stacklevel=2)
    return net, dict(config)


def build_actor_critic(agent, obs_shape, act_dim=2, hidden=(64, 64), encoder=None, n_distractors=0,
                       encoder_config=None, log_std_init=-0.5):
    """The actor-critic of `agent` for observations obs_shape (after VelocityObs for oracle).

    Returns (ac, encoder_config) where encoder_config (dict or None) rebuilds the pretrained model.
    Convolution weights use the channels_last memory format (about 2x faster on CPU here).
    """
    ac, config = _build(agent, obs_shape, act_dim, hidden, encoder, n_distractors, encoder_config, log_std_init)
    return ac.to(memory_format=torch.channels_last), config


def _build(agent, obs_shape, act_dim, hidden, encoder, n_distractors, encoder_config, log_std_init):
    if agent not in AGENTS:
        raise ValueError(f"unknown agent {agent!r}; valid: {', '.join(AGENTS)}")
    hidden = tuple(int(h) for h in hidden)
    if agent == "oracle":
        return ActorCritic(nn.Identity(), nn.Identity(), obs_shape[-1], act_dim, hidden, hidden,
                           log_std_init=log_std_init), None
    head = (32, 32)
    if agent == "cnn":
        body = NatureCNN()
        return ActorCritic(ImageInput(), body, body.out_dim, act_dim, (), (), log_std_init=log_std_init), None
    if agent == "image-scratch":
        import model as model_lib
        body = model_lib.Encoder(64)
        return ActorCritic(ImageInput(), body, body.latent_dim, act_dim, head, head,
                           log_std_init=log_std_init), None
    net, config = load_encoder_model(agent, encoder, n_distractors, encoder_config)
    if agent == "reward-prediction-recurrent":
        return RecurrentActorCritic(net, act_dim, head, log_std_init=log_std_init), config
    enc = net.encoder
    if agent in FROZEN_ENCODER:
        return ActorCritic(Frozen(enc), nn.Identity(), enc.latent_dim, act_dim, head, head,
                           log_std_init=log_std_init), config
    ac = ActorCritic(ImageInput(), enc, enc.latent_dim, act_dim, head, head, log_std_init=log_std_init)
    ac.finetune = True
    return ac, config
