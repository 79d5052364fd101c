"""PPO for the sprites environments, in the style of OpenAI Spinning Up.

ppo.py      the training loop (rollouts from the batched vector env, GAE, clipped surrogate)
buffer.py   rollout storage, GAE-lambda, minibatches (flat or by environment for recurrent agents)
core.py     actor-critics behind one contract: step(obs) -> act, v, logp; act(obs) -> act
envs.py     env construction and the velocity features of the state (oracle) observations
logx.py     progress.txt, config.json, atomic checkpoints, run folders
mpi.py      data-parallel helpers (mpi4py): fork, gradient averaging, pooled statistics
benchmark.py  env steps/s (rollout + update) per agent type
test_policy.py  load a run from config.json + checkpoint, roll it out, write a GIF and a PNG
"""
