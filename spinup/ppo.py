"""PPO (clipped surrogate, GAE-lambda) on the batched sprites vector env; Spinning Up / CleanRL style.

One epoch = `steps_per_epoch` env steps = T steps of `num_envs` sub-envs (split evenly over the MPI
processes), then `train_iters` passes of minibatch updates over the rollout, stopped early when the
approximate KL exceeds 1.5 * target_kl. Each epoch starts from env.reset and torch seeds derived from
(seed, rank, epoch), so a checkpoint at an epoch boundary holds everything needed to resume exactly.
Episodes last exactly 40 steps, so with T a multiple of 40 (default: 4000 / 100 sub-envs = 40) every
epoch holds whole episodes and the reset loses nothing; other T warn.

gamma. The reward is dense (1 - distance, every step) and the target moves whatever the agent does, so
the one-step-greedy policy is almost optimal (38.83 of the 38.83-38.92 limit, KNOWN.md). gamma = 0
(the default) makes the value a one-step reward predictor, side-steps the clock-less 40-step time
limit and gave the best public results; with gamma > 0, truncations bootstrap from V(final_obs)
(buffer.py).
"""
import os
import time
import warnings

import numpy as np
import torch

from sprites_env import MAX_EPISODE_STEPS

from . import core, logx
from .buffer import RolloutBuffer
from .envs import VelocityObs, check_env_id, make_vec_env
from .mpi import (mpi_avg, mpi_avg_grads, mpi_fork, mpi_statistics, num_procs, proc_id, sync_params,
                  trainable)

# Flags that may differ between a run and its --resume (they do not change the numbers).
RESUMABLE = {"resume", "epochs", "device", "threads", "verbose", "save_every", "command_line"}


def _as_tuple(hidden):
    if isinstance(hidden, str):
        hidden = [h for h in hidden.replace("(", "").replace(")", "").split(",") if h.strip()]
    if isinstance(hidden, (int, np.integer)):
        hidden = (hidden,)
    try:
        return tuple(int(h) for h in hidden)
    except (TypeError, ValueError):
        raise ValueError(f"hidden must be a list of ints like 64,64, got {hidden!r}") from None


def check_config(c):
    """Validate and coerce the flags of train_ppo (dict, in place); clear errors before any work."""
    obs_type = check_env_id(c["env"])["obs_type"]
    core.check_agent(c["agent"], obs_type)
    for k in ("seed", "epochs", "steps_per_epoch", "num_envs", "train_iters", "minibatch_size",
              "cpu", "save_every", "threads"):
        if isinstance(c[k], bool) or not isinstance(c[k], (int, np.integer)) or c[k] < 0:
            raise ValueError(f"--{k} must be a non-negative int, got {c[k]!r}")
        c[k] = int(c[k])
    for k in ("epochs", "steps_per_epoch", "num_envs", "train_iters", "minibatch_size", "cpu"):
        if c[k] < 1:
            raise ValueError(f"--{k} must be >= 1, got {c[k]}")
    for k in ("gamma", "lam", "clip_ratio", "lr", "encoder_lr", "ent_coef", "vf_coef", "max_grad_norm",
              "log_std_init"):
        c[k] = float(c[k])
    if not 0 <= c["gamma"] <= 1 or not 0 <= c["lam"] <= 1:
        raise ValueError(f"gamma and lam must lie in [0, 1], got {c['gamma']}, {c['lam']}")
    if c["target_kl"] is not None:
        c["target_kl"] = float(c["target_kl"])
    c["hidden"] = _as_tuple(c["hidden"])
    for k in ("norm_adv", "state_velocity", "resume", "verbose"):
        if not isinstance(c[k], bool):
            raise ValueError(f"--{k} must be True or False, got {c[k]!r}")
    if c["num_envs"] % c["cpu"]:
        raise ValueError(f"--num_envs={c['num_envs']} must be divisible by --cpu={c['cpu']}")
    if c["steps_per_epoch"] % c["num_envs"]:
        raise ValueError(f"--steps_per_epoch={c['steps_per_epoch']} must be a multiple of "
                         f"--num_envs={c['num_envs']}")
    if c["device"] not in ("auto", "cpu", "cuda") and not str(c["device"]).startswith("cuda:"):
        raise ValueError(f"--device must be auto, cpu or cuda, got {c['device']!r}")
    if str(c["device"]).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"--device={c['device']}: CUDA is not available here (use auto or cpu)")
    if c["agent"] in core.ENCODER_KIND and not c["encoder"]:
        raise ValueError(f"agent {c['agent']!r} needs --encoder=<checkpoint of a "
                         f"{core.ENCODER_KIND[c['agent']]!r} model>")
    if c["encoder"] and not os.path.exists(c["encoder"]):
        raise FileNotFoundError(f"--encoder={c['encoder']!r}: no such checkpoint")
    c["exp_name"] = c["exp_name"] or f"ppo_{c['agent']}_{c['env']}"
    return c


def _epoch_seed(seed, rank, epoch):
    return int(np.random.SeedSequence([seed, rank, epoch]).generate_state(1)[0])


def make_optimizer(ac, lr, encoder_lr):
    """Adam over the trainable parameters only: pretrained ones (fine-tuned encoder, recurrent LSTM)
    with encoder_lr, the rest with lr. Frozen parameters never enter the optimiser."""
    pretrained, rest = ac.param_groups()
    groups = [{"params": rest, "lr": lr}]
    if pretrained:
        groups.append({"params": pretrained, "lr": encoder_lr})
    return torch.optim.Adam(groups, eps=1e-5)


def build_run(config, device="cpu", num_envs=None):
    """Actor-critic (and its obs preprocessing) of a config: (ac, velocity or None, obs_dim info)."""
    kw = check_env_id(config["env"])
    state_velocity = kw["obs_type"] == "state" and config["state_velocity"]
    if kw["obs_type"] == "state":
        raw = 2 * (2 + kw["n_distractors"])
        obs_shape = (VelocityObs.obs_dim(raw),) if state_velocity else (raw,)
    else:
        obs_shape = (64, 64)
    ac, enc_config = core.build_actor_critic(
        config["agent"], obs_shape, 2, config["hidden"], config.get("encoder"), kw["n_distractors"],
        config.get("encoder_config"), config["log_std_init"])
    return ac.to(device), enc_config, (state_velocity, obs_shape)


def ppo_update(ac, opt, buf, c, generator):
    """train_iters passes of minibatch updates; returns the statistics of the epoch."""
    stats = {"LossPi": [], "LossV": [], "Entropy": [], "KL": [], "ClipFrac": []}
    params = trainable(ac)
    stop_iter = c["train_iters"]
    mb_size = max(1, c["minibatch_size"] // num_procs())  # minibatch_size is global: split over ranks
    envs_per_mb = max(1, mb_size // buf.T)
    for i in range(c["train_iters"]):
        batches = (buf.sequence_minibatches(envs_per_mb, generator) if ac.recurrent
                   else buf.flat_minibatches(mb_size, generator))
        stop = False
        for mb in batches:
            if ac.recurrent:
                logp, ent, v = ac.evaluate_seq(mb["x"], mb["act"], (mb["h0"], mb["c0"]), mb["start"])
                m = mb["mask"]
                logp, ent, v = logp[m], ent[m], v[m]
                mb = {k: mb[k][m] for k in ("logp", "adv", "ret")}
            else:
                logp, ent, v = ac.evaluate(mb["x"], mb["act"])
            log_ratio = logp - mb["logp"]
            ratio = log_ratio.exp()
            with torch.no_grad():
                kl = mpi_avg(((ratio - 1) - log_ratio).mean().item())
                clip_frac = ((ratio - 1).abs() > c["clip_ratio"]).float().mean().item()
            if c["target_kl"] is not None and kl > 1.5 * c["target_kl"]:
                stop = True
                break
            adv = mb["adv"]
            loss_pi = -torch.min(ratio * adv, ratio.clamp(1 - c["clip_ratio"], 1 + c["clip_ratio"]) * adv).mean()
            loss_v = ((v - mb["ret"]) ** 2).mean()
            loss = loss_pi + c["vf_coef"] * loss_v - c["ent_coef"] * ent.mean()
            opt.zero_grad(set_to_none=False)
            loss.backward()
            mpi_avg_grads(ac)
            if c["max_grad_norm"] > 0:
                torch.nn.utils.clip_grad_norm_(params, c["max_grad_norm"])
            opt.step()
            for k, val in (("LossPi", loss_pi), ("LossV", loss_v), ("Entropy", ent.mean()), ("KL", kl),
                           ("ClipFrac", clip_frac)):
                stats[k].append(float(val.detach()) if torch.is_tensor(val) else float(val))
        if stop:
            stop_iter = i
            break
    out = {k: float(mpi_avg(np.mean(v))) if v else float("nan") for k, v in stats.items()}
    out["StopIter"] = stop_iter
    return out


def collect(ac, env, buf, vel, c, epoch_seed):
    """Roll out T steps of every local sub-env into buf from a fresh reset; returns episode returns/lens."""
    obs, _ = env.reset(seed=epoch_seed)
    if vel is not None:
        obs = vel.reset(obs)
    if ac.recurrent:
        ac.reset_state(buf.N)
    ep_start = np.ones(buf.N, dtype=bool)
    ep_ret, ep_len = np.zeros(buf.N), np.zeros(buf.N, dtype=np.int64)
    rets, lens = [], []
    for t in range(buf.T):
        x = ac.embed(obs)
        state = ac.state if ac.recurrent else None
        act, v, logp = ac.step_tensor(x)
        buf.store(t, x, act, v, logp, ep_start, state)
        obs, rew, term, trunc, info = env.step(act.cpu().numpy())
        done = term | trunc
        final = info.get("final_obs") if trunc.any() else None
        if vel is not None:
            obs, final = vel.step(obs, done, final)
        boot = None
        if final is not None and c["gamma"] > 0:
            boot = ac.value_tensor(ac.embed(final)) * torch.as_tensor(trunc, device=buf.x.device)
        buf.store_result(t, rew, term, trunc, boot)
        ep_ret += rew
        ep_len += 1
        rets += ep_ret[done].tolist()
        lens += ep_len[done].tolist()
        ep_ret[done], ep_len[done] = 0, 0
        if ac.recurrent and done.any():
            ac.start_episodes(done)
        ep_start = done
    last_val = torch.zeros(buf.N, device=buf.x.device)
    if c["gamma"] > 0:
        last_val = ac.value_tensor(ac.embed(obs))
    return last_val, rets, lens


def _restore(path, c, ac, opt, dev):
    """Load the run's checkpoint into ac and opt for --resume; returns (epochs done, elapsed seconds).

    A run without a checkpoint starts from scratch; one started with other flags is an error.
    """
    if not os.path.exists(os.path.join(path, logx.CHECKPOINT)):
        return 0, 0.0
    ckpt = logx.load_checkpoint(path, map_location=dev)
    old = logx.load_config(path)
    diff = sorted(k for k in set(old) | set(c)
                  if k not in RESUMABLE and _jsonish(old.get(k)) != _jsonish(c.get(k)))
    if diff:
        raise ValueError(f"--resume: the run in {path} was started with other flags: "
                         + ", ".join(f"{k}={old.get(k)!r} (now {c.get(k)!r})" for k in diff))
    ac.load_state_dict(ckpt["state_dict"])
    opt.load_state_dict(ckpt["optimizer"])
    return int(ckpt["epoch"]), float(ckpt.get("elapsed", 0.0))


def train_ppo(env="SpritesState-v0", agent="oracle", encoder=None, seed=0, epochs=75, steps_per_epoch=4000,
              num_envs=100, gamma=0.0, lam=0.95, clip_ratio=0.2, lr=1e-3, encoder_lr=3e-5, train_iters=10,
              minibatch_size=500, target_kl=0.05, ent_coef=0.0, vf_coef=0.5, max_grad_norm=0.5, norm_adv=True,
              hidden=(64, 64), log_std_init=-0.5, state_velocity=True, exp_name=None, out_dir="logs",
              save_every=1, resume=False, cpu=1, device="auto", threads=0, verbose=True):
    """Train a PPO agent on a sprites env; writes <out_dir>/<exp_name>/<exp_name>_s<seed>/.

    env: Sprites-v0/1/2 (images), SpritesState-v0/1/2 (positions), SpritesRepel*...
    agent: one of core.AGENTS; encoder: checkpoint of the pretrained model (agents using one).
    epochs x steps_per_epoch env steps; num_envs sub-envs in total (split over --cpu processes).
    gamma (0: one-step rewards, see module doc), lam: GAE; clip_ratio, target_kl (None: no early
    stop): PPO; train_iters passes over the rollout in minibatches of minibatch_size steps (global,
    split over the --cpu processes; recurrent agents: whole sub-env tracks, about minibatch_size
    steps); lr: policy, value, heads, and the body of cnn / image-scratch; encoder_lr: pretrained
    trainable parts (fine-tuned encoder, recurrent LSTM); ent_coef, vf_coef, max_grad_norm (<= 0:
    off); norm_adv: normalise advantages over the whole (MPI-pooled) batch; hidden: oracle MLP sizes
    (image agents: fixed heads, see core); log_std_init: initial log-std;
    state_velocity: oracle sees positions + per-step displacements (envs.VelocityObs).
    save_every: checkpoint every k epochs (and at the end); resume: continue the run in its folder.
    cpu: data-parallel MPI processes; device: auto|cpu|cuda; threads: torch threads per process
    (0: 1 under MPI or for the oracle, else torch's default). Returns the run folder.
    """
    c = check_config(dict(locals()))
    mpi_fork(c["cpu"])
    rank, nprocs = proc_id(), num_procs()
    if nprocs != c["cpu"]:
        raise SystemExit(f"--cpu={c['cpu']} but {nprocs} MPI processes are running")
    threads = c["threads"] or (1 if nprocs > 1 or c["agent"] == "oracle" else torch.get_num_threads())
    torch.set_num_threads(threads)
    dev = torch.device("cuda" if c["device"] == "auto" and torch.cuda.is_available() else
                       "cpu" if c["device"] == "auto" else c["device"])
    path = logx.run_dir(c["out_dir"], c["exp_name"], c["seed"])

    torch.manual_seed(c["seed"])
    ac, enc_config, (state_velocity, obs_shape) = build_run(c, dev)
    c["encoder_config"] = enc_config
    opt = make_optimizer(ac, c["lr"], c["encoder_lr"])
    start_epoch, elapsed = _restore(path, c, ac, opt, dev) if c["resume"] else (0, 0.0)
    sync_params(ac)
    logger = logx.EpochLogger(path, active=rank == 0, resume_epoch=start_epoch if start_epoch else None,
                              verbose=c["verbose"])
    if rank == 0:
        logx.save_config(path, c)
        if verbose:
            print(f"run {path}: {c['agent']} on {c['env']}, {nprocs} process(es), device {dev}, "
                  f"{threads} thread(s), epochs {start_epoch}..{c['epochs']}", flush=True)

    n_local = c["num_envs"] // nprocs
    T = c["steps_per_epoch"] // c["num_envs"]
    if T % MAX_EPISODE_STEPS and rank == 0:
        warnings.warn(f"steps_per_epoch / num_envs = {T} steps per sub-env is not a multiple of the "
                      f"{MAX_EPISODE_STEPS}-step episode: every epoch restarts the episodes, so the last "
                      f"partial one is cut (bootstrapped, not logged)" +
                      (" and no episode ever completes" if T < MAX_EPISODE_STEPS else ""), stacklevel=2)
    venv = make_vec_env(c["env"], n_local)
    vel = VelocityObs(n_local, obs_shape[0] // 2) if state_velocity else None
    x_shape = tuple(ac.embed(np.zeros((1, *venv.single_observation_space.shape)) if vel is None
                             else np.zeros((1, *obs_shape))).shape[1:])
    buf = RolloutBuffer(T, n_local, x_shape, 2, dev, ac.hidden_size if ac.recurrent else None)
    generator = torch.Generator()

    for epoch in range(start_epoch, c["epochs"]):
        t0 = time.time()
        s = _epoch_seed(c["seed"], rank, epoch)
        torch.manual_seed(s)
        generator.manual_seed(s)
        ac.train()
        last_val, rets, lens = collect(ac, venv, buf, vel, c, s)
        buf.finish(last_val, c["gamma"], c["lam"], norm_adv=c["norm_adv"])
        stats = ppo_update(ac, opt, buf, c, generator)
        mean, std, lo, hi = mpi_statistics(rets)
        dt = time.time() - t0
        elapsed += dt
        steps = (epoch + 1) * c["steps_per_epoch"]
        logger.log({"Epoch": epoch, "AverageEpRet": mean, "StdEpRet": std, "MaxEpRet": hi, "MinEpRet": lo,
                    "EpLen": mpi_statistics(lens)[0], "AverageVVals": float(mpi_avg(buf.val.mean().item())),
                    "TotalEnvInteracts": steps, **stats, "Time": elapsed,
                    "StepsPerSec": c["steps_per_epoch"] / max(mpi_avg(dt), 1e-9)})
        last = epoch + 1 == c["epochs"]
        if rank == 0 and (last or (c["save_every"] and (epoch + 1) % c["save_every"] == 0)):
            logx.save_checkpoint(path, {"state_dict": ac.state_dict(), "optimizer": opt.state_dict(),
                                        "config": _jsonish(c), "epoch": epoch + 1, "step": steps,
                                        "elapsed": elapsed})
    venv.close()
    return path


def _jsonish(value):
    """Config values as config.json stores them (tuples -> lists), for comparisons and checkpoints."""
    import json
    return json.loads(json.dumps(value, default=str))
