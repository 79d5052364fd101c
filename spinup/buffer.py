"""Rollout storage for PPO: T steps x N sub-envs, GAE-lambda, minibatches.

Time limits. Episodes end after 40 steps with truncated=True and the observation has no clock. At a
truncation the env has already reset (same-step autoreset), so the value of the *next* observation
is the value of a new episode: GAE instead bootstraps from V(final_obs), the value of the true last
observation (`boot_val`), and cuts the advantage chain there. A terminal step (never happens in these
envs) bootstraps from 0. The last step of the rollout bootstraps from V(obs_T) (`last_val`).
With gamma = 0 (the default of train_ppo) every bootstrap is multiplied by 0 and adv = rew - v.

Recurrent agents: `h`, `c` hold the LSTM *input* state of each step, `ep_start` marks the first step
of an episode. `sequences()` cuts every sub-env's track at episode starts, pads the pieces to one
length and returns masks; minibatches split by sub-env (never by time step), sb3-contrib style.
"""
import numpy as np
import torch

from .mpi import mpi_avg


def discount_gae(rew, val, done, term, boot_val, last_val, gamma, lam):
    """GAE-lambda advantages and returns; arrays (T, N) (torch), last_val (N,).

    done[t]: the episode ended at step t (terminated or truncated); term[t]: it terminated;
    boot_val[t]: V(final_obs_t), used where done[t] and not term[t].
    """
    T = rew.shape[0]
    adv = torch.zeros_like(rew)
    gae = torch.zeros_like(last_val)
    for t in reversed(range(T)):
        next_v = last_val if t == T - 1 else val[t + 1]
        next_v = torch.where(done[t], boot_val[t], next_v) * (~term[t])
        delta = rew[t] + gamma * next_v - val[t]
        gae = delta + gamma * lam * (~done[t]) * gae
        adv[t] = gae
    return adv, adv + val


class RolloutBuffer:
    """Per-process storage of one epoch's rollout; stores the agent's embedded inputs x, not raw obs."""

    def __init__(self, T, N, x_shape, act_dim, device, lstm_hidden=None, x_dtype=torch.float32):
        self.T, self.N = T, N
        z = lambda *shape, dtype=torch.float32: torch.zeros(*shape, dtype=dtype, device=device)  # noqa: E731
        self.x = z(T, N, *x_shape, dtype=x_dtype)
        self.act = z(T, N, act_dim)
        self.rew, self.val, self.logp, self.boot_val = z(T, N), z(T, N), z(T, N), z(T, N)
        self.done, self.term, self.ep_start = (z(T, N, dtype=torch.bool) for _ in range(3))
        self.h = self.c = None
        if lstm_hidden is not None:
            self.h, self.c = z(T, N, lstm_hidden), z(T, N, lstm_hidden)

    def store(self, t, x, act, val, logp, ep_start, state=None):
        self.x[t], self.act[t], self.val[t], self.logp[t] = x, act, val, logp
        self.ep_start[t] = torch.as_tensor(ep_start)
        if state is not None:
            self.h[t], self.c[t] = state[0][0], state[1][0]

    def store_result(self, t, rew, term, trunc, boot_val=None):
        self.rew[t] = torch.as_tensor(rew, dtype=torch.float32)
        self.term[t] = torch.as_tensor(term)
        self.done[t] = torch.as_tensor(np.logical_or(term, trunc))
        if boot_val is not None:
            self.boot_val[t] = boot_val

    def finish(self, last_val, gamma, lam, norm_adv=True):
        """Compute adv and ret; normalise adv with the mean/std pooled over MPI ranks."""
        self.adv, self.ret = discount_gae(self.rew, self.val, self.done, self.term, self.boot_val,
                                          last_val, gamma, lam)
        self._seqs = None
        if norm_adv:
            n = self.adv.numel()
            s, s2 = mpi_avg(np.array([self.adv.sum().item() / n, (self.adv ** 2).sum().item() / n]))
            std = np.sqrt(max(s2 - s * s, 0.0))
            self.adv = (self.adv - s) / (std + 1e-8)

    def flat_minibatches(self, minibatch_size, generator):
        """Shuffled dicts of flat (B, ...) tensors over all T*N steps."""
        n = self.T * self.N
        flat = {k: getattr(self, k).reshape(n, *getattr(self, k).shape[2:])
                for k in ("x", "act", "logp", "adv", "ret", "val")}
        perm = torch.randperm(n, generator=generator).to(self.x.device)
        for start in range(0, n, minibatch_size):
            idx = perm[start:start + minibatch_size]
            yield {k: v[idx] for k, v in flat.items()}

    def sequences(self):
        """Cut each sub-env's track at episode starts; pad. Returns (env_of_seq (S,), dict of tensors):
        x (S, L, ...), act (S, L, A), logp/adv/ret/val (S, L), mask (S, L) bool, h0/c0 (1, S, H),
        start (S,) bool: the piece begins an episode (else it continues one from the rollout's start)."""
        starts = self.ep_start.clone().cpu()
        starts[0] = True
        pieces = []  # (env, t0, length)
        for n in range(self.N):
            cut = torch.nonzero(starts[:, n]).flatten().tolist() + [self.T]
            pieces += [(n, a, b - a) for a, b in zip(cut[:-1], cut[1:])]
        L = max(p[2] for p in pieces)
        out = {}
        for k in ("x", "act", "logp", "adv", "ret", "val"):
            src = getattr(self, k)
            dst = src.new_zeros(len(pieces), L, *src.shape[2:])
            for i, (n, t0, length) in enumerate(pieces):
                dst[i, :length] = src[t0:t0 + length, n]
            out[k] = dst
        mask = torch.zeros(len(pieces), L, dtype=torch.bool, device=self.x.device)
        for i, (_, _, length) in enumerate(pieces):
            mask[i, :length] = True
        out["mask"] = mask
        out["start"] = torch.stack([self.ep_start[t0, n] for n, t0, _ in pieces])
        idx_t = torch.tensor([p[1] for p in pieces], device=self.x.device)
        idx_n = torch.tensor([p[0] for p in pieces], device=self.x.device)
        out["h0"] = self.h[idx_t, idx_n][None].contiguous()
        out["c0"] = self.c[idx_t, idx_n][None].contiguous()
        return idx_n, out

    def sequence_minibatches(self, envs_per_minibatch, generator):
        """Dicts of padded sequences; each minibatch holds all sequences of a random set of sub-envs."""
        if getattr(self, "_seqs", None) is None:
            self._seqs = self.sequences()
        env_of_seq, seqs = self._seqs
        perm = torch.randperm(self.N, generator=generator)
        for start in range(0, self.N, envs_per_minibatch):
            chosen = torch.zeros(self.N, dtype=torch.bool)
            chosen[perm[start:start + envs_per_minibatch]] = True
            sel = chosen.to(env_of_seq.device)[env_of_seq]
            mb = {k: v[sel] for k, v in seqs.items() if k not in ("h0", "c0")}
            mb["h0"], mb["c0"] = seqs["h0"][:, sel], seqs["c0"][:, sel]
            yield mb
