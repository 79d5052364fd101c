#!/usr/bin/env bash
# Ablation: the fine-tuned agents with 4 passes of 1,000-sample minibatches (16 steps per epoch), the
# schedule of the first comparison, against 4 x 250 in scripts/ppo_comparison.sh. Same backward passes,
# 4x fewer updates, 1M env steps. Results: logs/ablations/finetune_4x1000/ (the committed runs were made in
# logs/comparison and moved there, so their config.json says out_dir=logs/comparison).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT_DIR=logs/ablations/finetune_4x1000 FINETUNE_FLAGS="--train_iters=4 --minibatch_size=1000" LONGER_AGENTS="" \
  bash scripts/ppo_comparison.sh reward-prediction-finetune image-reconstruction-finetune
