#!/usr/bin/env bash
# Ablation: the reward-prediction agents on the encoders that meet the MSE goal (128-unit LSTM; README_CLVR
# Results) instead of the 64-unit d0 / d1 / d2 encoders of scripts/ppo_comparison.sh. Same PPO settings,
# 1M env steps, 3 seeds. Results: logs/ablations/h128_encoders/.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT_DIR=logs/ablations/h128_encoders LONGER_AGENTS="" \
  RP_ENCODERS="reward_prediction_d0_h128 reward_prediction_d1_from_d2_h128 reward_prediction_d2_h128_long3" \
  bash scripts/ppo_comparison.sh reward-prediction reward-prediction-recurrent reward-prediction-finetune
