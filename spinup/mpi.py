"""Small MPI helpers for data-parallel PPO (mpi4py), in the spirit of Spinning Up's mpi_tools.

`mpi_fork(n)` re-launches the current command line under `mpiexec -n n`; each rank then runs the
same training loop on its share of the sub-environments. Gradients of the *trainable* parameters are
averaged (frozen ones are skipped), parameters are broadcast from rank 0 at the start, statistics are
pooled. mpi4py is imported only when more than one process runs, so a plain run never initialises MPI.
Tensors may live on CUDA: they go through CPU numpy buffers for the Allreduce.
"""
import os
import subprocess
import sys

import numpy as np
import torch

_ENV_FLAG = "CLVR_IN_MPI"


def in_mpi():
    """True inside a process started by mpi_fork (or any mpiexec with more than one rank)."""
    return os.environ.get(_ENV_FLAG) == "1"


def _comm():
    if not in_mpi():
        return None
    from mpi4py import MPI
    return MPI.COMM_WORLD


def mpi_fork(n):
    """Re-launch this command under `mpiexec -n n` and exit when it ends; no-op for n <= 1 or inside MPI."""
    if n <= 1 or in_mpi():
        return
    env = dict(os.environ, **{_ENV_FLAG: "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    cmd = ["mpiexec", "-n", str(n), sys.executable, *sys.argv]
    try:
        code = subprocess.call(cmd, env=env)
    except FileNotFoundError:
        raise SystemExit("--cpu > 1 needs mpiexec on PATH (pip install mpich mpi4py)") from None
    sys.exit(code)


def proc_id():
    comm = _comm()
    return 0 if comm is None else comm.Get_rank()


def num_procs():
    comm = _comm()
    return 1 if comm is None else comm.Get_size()


def allreduce_sum(x):
    """Elementwise sum over ranks of a numpy array (float64 out)."""
    x = np.asarray(x, dtype=np.float64)
    comm = _comm()
    if comm is None:
        return x.copy()
    from mpi4py import MPI
    out = np.zeros_like(x)
    comm.Allreduce(x, out, op=MPI.SUM)
    return out


def mpi_avg(x):
    """Average of a scalar or array over ranks."""
    return allreduce_sum(x) / num_procs()


def mpi_gather_list(values):
    """All ranks' lists concatenated (every rank gets the pooled list)."""
    comm = _comm()
    if comm is None:
        return list(values)
    return [v for part in comm.allgather(list(values)) for v in part]


def mpi_statistics(values):
    """(mean, std, min, max) of values pooled over ranks; NaNs when nobody has a value."""
    pooled = np.asarray(mpi_gather_list(values), dtype=np.float64)
    if pooled.size == 0:
        return (float("nan"),) * 4
    return float(pooled.mean()), float(pooled.std()), float(pooled.min()), float(pooled.max())


def trainable(module):
    return [p for p in module.parameters() if p.requires_grad]


def sync_params(module):
    """Broadcast rank 0's parameters and buffers to every rank (call once after construction)."""
    comm = _comm()
    if comm is None:
        return
    with torch.no_grad():
        for t in list(module.parameters()) + list(module.buffers()):
            if not t.is_floating_point():
                continue
            buf = t.detach().cpu().numpy().astype(np.float64)
            comm.Bcast(buf, root=0)
            t.copy_(torch.as_tensor(buf, dtype=t.dtype, device=t.device))


def mpi_avg_grads(module):
    """Average the gradients of the trainable parameters over ranks (one flat Allreduce)."""
    if num_procs() == 1:
        return
    params = trainable(module)
    for p in params:  # every rank must contribute the same flat vector
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    flat = torch.cat([p.grad.detach().reshape(-1).cpu().double() for p in params]).numpy()
    flat = mpi_avg(flat)
    offset = 0
    for p in params:
        n = p.numel()
        p.grad.copy_(torch.as_tensor(flat[offset:offset + n], dtype=p.grad.dtype).view_as(p.grad))
        offset += n
