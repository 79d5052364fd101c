"""spinup core pieces: GAE, recurrent sequence replay, frozen encoders, velocity features, errors."""
import numpy as np
import pytest
import torch

import model as model_lib
from spinup import core
from spinup.buffer import RolloutBuffer, discount_gae
from spinup.envs import VelocityObs
from spinup.ppo import build_run, collect, make_optimizer, ppo_update, train_ppo
from spinup.envs import make_vec_env


@pytest.fixture(scope="session")
def encoders(tmp_path_factory):
    """Tiny random checkpoints {kind: path} written the way model.py writes them (0 distractors)."""
    folder = tmp_path_factory.mktemp("enc")
    paths = {}
    for kind in ("reward_prediction", "reconstruction"):
        cfg = model_lib.ModelConfig(kind=kind)
        paths[kind] = str(folder / f"{kind}.pt")
        model_lib.save_checkpoint(paths[kind], model_lib.build_model(cfg), cfg.to_dict(), 0)
    return paths


def test_gae_closed_form():
    rng = np.random.default_rng(0)
    T, N, gamma, lam = 7, 3, 0.9, 0.8
    rew, val, boot = (torch.tensor(rng.normal(size=(T, N)), dtype=torch.float32) for _ in range(3))
    last = torch.tensor(rng.normal(size=N), dtype=torch.float32)
    done = torch.zeros(T, N, dtype=torch.bool)
    done[2, 0] = done[5, 1] = done[6, 2] = True  # truncations: bootstrap from V(final_obs) = boot
    term = torch.zeros_like(done)
    term[4, 2] = done[4, 2] = True  # a terminal step: bootstrap from 0
    adv, ret = discount_gae(rew, val, done, term, boot, last, gamma, lam)
    for n in range(N):
        for t in range(T):
            expected, k = 0.0, t
            while True:  # A_t = sum_k (gamma lam)^(k-t) delta_k until the episode or the rollout ends
                if term[k, n]:
                    next_v = 0.0
                elif done[k, n]:
                    next_v = boot[k, n]
                else:
                    next_v = last[n] if k == T - 1 else val[k + 1, n]
                delta = rew[k, n] + gamma * next_v - val[k, n]
                expected += (gamma * lam) ** (k - t) * float(delta)
                if done[k, n] or k == T - 1:
                    break
                k += 1
            assert adv[t, n].item() == pytest.approx(expected, abs=1e-5)
    torch.testing.assert_close(ret, adv + val)
    adv0, _ = discount_gae(rew, val, done, term, boot, last, 0.0, lam)
    torch.testing.assert_close(adv0, rew - val)


def test_velocity_obs_resets_at_episode_starts():
    vel = VelocityObs(2, 4)
    o0 = np.full((2, 4), 0.5, np.float32)
    f0 = vel.reset(o0)
    assert f0.shape == (2, 8) and np.all(f0[:, 4:] == 0)
    o1 = o0 + 0.05
    final = o0 + 0.025
    f1, ff = vel.step(o1, np.array([False, True]), final)
    np.testing.assert_allclose(f1[0, 4:], 1.0, rtol=1e-5)  # moved one max_speed
    np.testing.assert_allclose(f1[1, 4:], 0.0)  # new episode: no displacement
    np.testing.assert_allclose(ff[1, 4:], 0.5, rtol=1e-5)  # final obs keeps the last step's motion


def _recurrent(encoders):
    ac, _ = core.build_actor_critic("reward-prediction-recurrent", (64, 64), encoder=encoders["reward_prediction"])
    return ac


def test_recurrent_padded_sequences_equal_stepwise_rollout(encoders):
    torch.manual_seed(0)
    ac = _recurrent(encoders)
    T, N = 9, 3
    buf = RolloutBuffer(T, N, (ac.embed_net.module[1][-1].out_features,), 2, "cpu", ac.hidden_size)
    rng = np.random.default_rng(0)
    ac.reset_state(N)
    for _ in range(3):  # episodes already running when the rollout starts: non-zero input states
        ac.step_tensor(ac.embed(rng.uniform(0, 1, (N, 64, 64)).astype(np.float32)))
    starts = np.zeros((T, N), bool)
    starts[0, 0] = True  # sub-env 0 starts an episode with the rollout, 1 and 2 continue theirs
    starts[4, 0] = starts[2, 1] = starts[7, 1] = True  # episodes start mid-rollout
    for t in range(T):
        ac.start_episodes(starts[t])
        x = ac.embed(rng.uniform(0, 1, (N, 64, 64)).astype(np.float32))
        state = ac.state
        act, v, logp = ac.step_tensor(x)
        buf.store(t, x, act, v, logp, starts[t], state)
    buf.finish(torch.zeros(N), 0.0, 0.95, norm_adv=False)
    env_of_seq, seqs = buf.sequences()
    assert len(env_of_seq) == 3 + 3 and seqs["x"].shape[1] == T  # pieces cut at starts, padded
    assert seqs["start"].tolist() == [True, True, False, True, True, False]
    assert seqs["h0"][0, 2].abs().sum() > 0  # a continued piece replays from its stored state
    logp, _, v = ac.evaluate_seq(seqs["x"], seqs["act"], (seqs["h0"], seqs["c0"]), seqs["start"])
    m = seqs["mask"]
    torch.testing.assert_close(logp[m], seqs["logp"][m], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(v[m], seqs["val"][m], atol=1e-5, rtol=1e-5)
    assert m.sum() == T * N
    mbs = list(buf.sequence_minibatches(1, torch.Generator().manual_seed(0)))
    assert sorted(int(mb["mask"].sum()) for mb in mbs) == [T] * N  # split by env, never by time


@pytest.mark.parametrize("agent", ["reward-prediction", "image-reconstruction", "reward-prediction-recurrent",
                                   "reward-prediction-finetune"])
def test_frozen_params_unchanged_and_not_optimised(agent, encoders):
    torch.manual_seed(0)
    c = dict(env="Sprites-v0", agent=agent, encoder=encoders[core.ENCODER_KIND[agent]], hidden=(64, 64),
             log_std_init=-0.5, state_velocity=True, gamma=0.0, lam=0.95, clip_ratio=0.2, target_kl=None,
             train_iters=2, minibatch_size=40, vf_coef=0.5, ent_coef=0.0, max_grad_norm=0.5)
    ac, _, _ = build_run(c)
    opt = make_optimizer(ac, 1e-3, 1e-3)
    in_opt = {id(p) for g in opt.param_groups for p in g["params"]}
    frozen = {n: p.detach().clone() for n, p in ac.named_parameters() if not p.requires_grad}
    trained = {n: p.detach().clone() for n, p in ac.named_parameters() if p.requires_grad}
    enc_params = [n for n in dict(ac.named_parameters()) if ".convs." in n]
    assert enc_params
    if agent in core.FROZEN_ENCODER:
        assert all(n in frozen for n in enc_params)
    else:
        assert not frozen and all(n in trained for n in enc_params)
        assert {id(p) for p in opt.param_groups[1]["params"]} == {id(p) for p in ac.body.parameters()}
    assert not any(id(p) in in_opt for n, p in ac.named_parameters() if n in frozen)
    env = make_vec_env("Sprites-v0", 4)
    buf = RolloutBuffer(10, 4, tuple(ac.embed(np.zeros((1, 64, 64))).shape[1:]), 2, "cpu",
                        ac.hidden_size if ac.recurrent else None)
    last, _, _ = collect(ac, env, buf, None, c, 0)
    if not ac.recurrent and agent in core.FROZEN_ENCODER:
        assert buf.x.shape[2:] == (64,)  # features, not images, are stored
    buf.finish(last, 0.0, 0.95)
    ppo_update(ac, opt, buf, c, torch.Generator().manual_seed(0))
    params = dict(ac.named_parameters())
    for n, before in frozen.items():
        assert params[n].grad is None
        torch.testing.assert_close(params[n].detach(), before, rtol=0, atol=0)
    assert any(not torch.equal(params[n].detach(), before) for n, before in trained.items())


def test_bad_agent_env_and_checkpoints(encoders, tmp_path):
    base = dict(epochs=1, steps_per_epoch=160, num_envs=4, out_dir=str(tmp_path), verbose=False)
    with pytest.raises(ValueError, match="unknown agent"):
        train_ppo(agent="gru", **base)
    with pytest.raises(ValueError, match="unknown env id"):
        train_ppo(env="Sprites-v9", **base)
    with pytest.raises(ValueError, match="needs a state env"):
        train_ppo(env="Sprites-v0", agent="oracle", **base)
    with pytest.raises(ValueError, match="needs --encoder"):
        train_ppo(env="Sprites-v0", agent="reward-prediction", **base)
    with pytest.raises(FileNotFoundError, match="no such checkpoint"):
        train_ppo(env="Sprites-v0", agent="reward-prediction", encoder=str(tmp_path / "nope.pt"), **base)
    with pytest.raises(ValueError, match="needs a 'reward_prediction' encoder"):
        train_ppo(env="Sprites-v0", agent="reward-prediction", encoder=encoders["reconstruction"], **base)
    with pytest.raises(ValueError, match="needs a 'reconstruction' encoder"):
        train_ppo(env="Sprites-v0", agent="image-reconstruction", encoder=encoders["reward_prediction"], **base)
    with pytest.warns(UserWarning, match="trained with 0 distractors"):
        train_ppo(env="Sprites-v2", agent="reward-prediction", encoder=encoders["reward_prediction"], **base)
    with pytest.raises(ValueError, match="multiple of"):
        train_ppo(steps_per_epoch=45, num_envs=10, out_dir=str(tmp_path))


class _Recording:
    """A vector env that remembers the last obs it returned and the final_obs of truncations."""

    def __init__(self, env):
        self.env, self.obs, self.final = env, None, None

    def reset(self, **kw):
        self.obs, info = self.env.reset(**kw)
        return self.obs, info

    def step(self, act):
        self.prev = self.obs
        self.obs, rew, term, trunc, info = self.env.step(act)
        if "final_obs" in info:
            self.final = (self.prev, info["final_obs"])
        return self.obs, rew, term, trunc, info


def test_truncation_bootstraps_from_value_of_final_obs():
    torch.manual_seed(0)
    c = dict(env="SpritesState-v0", agent="oracle", hidden=(16, 16), log_std_init=-0.5, state_velocity=True,
             gamma=0.9)
    ac, _, (_, obs_shape) = build_run(c)
    env = _Recording(make_vec_env("SpritesState-v0", 3))
    buf = RolloutBuffer(50, 3, obs_shape, 2, "cpu")
    last, rets, lens = collect(ac, env, buf, VelocityObs(3, 4), c, 0)
    assert lens == [40, 40, 40] and buf.done[39].all() and not buf.done[:39].any() and not buf.term.any()
    assert buf.ep_start[40].all()
    prev, final = env.final  # raw obs before the last step of the episode and the true last obs
    feats = VelocityObs(3, 4).features(final, prev)
    torch.testing.assert_close(buf.boot_val[39], ac.value_tensor(torch.as_tensor(feats)))
    assert not buf.boot_val[:39].any() and not buf.boot_val[40:].any()
    buf.finish(last, 0.9, 1.0, norm_adv=False)
    # lam = 1: the advantage of step 39 is r + gamma V(final_obs) - V; the chain is cut at step 39
    torch.testing.assert_close(buf.adv[39], buf.rew[39] + 0.9 * buf.boot_val[39] - buf.val[39])
