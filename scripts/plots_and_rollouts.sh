#!/usr/bin/env bash
# Learning curves, results tables (written into README_CLVR.md) and rollout GIFs of the best agents.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPARISON=logs/comparison
ORACLE=logs/oracle
ABLATIONS="finetune_4x1000 h128_encoders"  # logs/ablations/<name>/, from scripts/ablation_<name>.sh
PLOTS=logs/plots
SMOOTH=5
EPISODES=50

mkdir -p "$PLOTS"
python main.py plot --logdir="$COMPARISON" --envs=Sprites --smooth="$SMOOTH" --out="$PLOTS/comparison.png"
python main.py plot --logdir="$ORACLE" --envs=SpritesState --smooth="$SMOOTH" --out="$PLOTS/oracle.png"
python main.py results --logdir="$COMPARISON" --envs=Sprites --smooth="$SMOOTH" --readme=README_CLVR.md
python main.py results --logdir="$ORACLE" --envs=SpritesState --smooth="$SMOOTH" --readme=README_CLVR.md
for ablation in $ABLATIONS; do
  python main.py results --logdir="logs/ablations/$ablation" --envs=Sprites --smooth="$SMOOTH" --readme=README_CLVR.md \
    --encoders=None --block_prefix="$ablation:"
done

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
