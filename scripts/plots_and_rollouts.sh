#!/usr/bin/env bash
# Learning curves, results tables (written into README_CLVR.md) and rollout GIFs of the best agents.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPARISON=logs/comparison
ORACLE=logs/oracle
ABLATION=logs/ablations/finetune_4x1000  # scripts/ablation_finetune_4x1000.sh
H128=logs/ablations/h128_encoders  # scripts/ablation_h128_encoders.sh
PLOTS=logs/plots
SMOOTH=5
EPISODES=50

mkdir -p "$PLOTS"
python main.py plot --logdir="$COMPARISON" --envs=Sprites --smooth="$SMOOTH" --out="$PLOTS/comparison.png"
python main.py plot --logdir="$ORACLE" --envs=SpritesState --smooth="$SMOOTH" --out="$PLOTS/oracle.png"
python main.py results --logdir="$COMPARISON" --envs=Sprites --smooth="$SMOOTH" --readme=README_CLVR.md
python main.py results --logdir="$ORACLE" --envs=SpritesState --smooth="$SMOOTH" --readme=README_CLVR.md
python main.py results --logdir="$ABLATION" --envs=Sprites --smooth="$SMOOTH" --readme=README_CLVR.md \
  --encoders=None --block_prefix=finetune_4x1000:
python main.py results --logdir="$H128" --envs=Sprites --smooth="$SMOOTH" --readme=README_CLVR.md \
  --encoders=None --block_prefix=h128_encoders:

# rollouts of the best run (highest final return) per distractor count
for d in 0 1 2; do
  best=$(python -c "
from spinup.runs import load_runs
runs = [r for r in load_runs('$COMPARISON') if r.env_id == 'Sprites-v$d']
print(max(runs, key=lambda r: r.progress['AverageEpRet'][-10:].mean()).path if runs else '')")
  [ -z "$best" ] && continue
  python main.py test_policy --run_dir="$best" --episodes="$EPISODES" \
    --gif="$PLOTS/best_Sprites-v$d.gif" --png="$PLOTS/best_Sprites-v$d.png"
done
