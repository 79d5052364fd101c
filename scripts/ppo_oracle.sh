#!/usr/bin/env bash
# Oracle PPO (state observations + per-step displacements) on SpritesState-v0/1/2, 3 seeds each,
# 300k env steps (75 epochs x 4000). Results: logs/oracle/ppo_oracle_<env>/..._s<seed>/progress.txt
set -euo pipefail
cd "$(dirname "$0")/.."

ENVS="SpritesState-v0 SpritesState-v1 SpritesState-v2"
EPOCHS=75
STEPS_PER_EPOCH=4000
OUT_DIR=logs/oracle
MAX_JOBS=2            # this box has 2 cores shared with others
export OMP_NUM_THREADS=1

for env in $ENVS; do
  for seed in 0 1 2; do
    while [ "$(jobs -rp | wc -l)" -ge "$MAX_JOBS" ]; do sleep 1; done
    python main.py train_ppo --env="$env" --agent=oracle --seed="$seed" --epochs="$EPOCHS" \
      --steps_per_epoch="$STEPS_PER_EPOCH" --threads=1 --out_dir="$OUT_DIR" \
      --exp_name="ppo_oracle_${env}" --verbose=False &
  done
done
wait
