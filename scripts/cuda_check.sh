#!/usr/bin/env bash
# CUDA check, for a machine with a GPU: every PPO agent trains 2 short epochs on Sprites-v1 with
# --device=cuda and --resume continues it for a third; its checkpoint is then rolled out on the CPU
# (test_policy), and the cnn agent's throughput is timed on cuda and on cpu (StepsPerSec column of
# progress.txt). Usage: bash scripts/cuda_check.sh [out_dir] (default /tmp/cuda_check).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT_DIR=${1:-/tmp/cuda_check}
ENCODERS=logs/encoders
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name())"

# "agent --encoder=<folder>" for every agent of spinup.core (the 1-distractor encoder of its kind, if any)
mapfile -t AGENT_LINES < <(python -c "from spinup.core import AGENTS, ENCODER_KIND
for a in AGENTS: print(a, f'--encoder=$ENCODERS/{ENCODER_KIND[a]}_d1' if a in ENCODER_KIND else '')")
[ "${#AGENT_LINES[@]}" -gt 0 ] || { echo "could not list the agents of spinup.core" >&2; exit 1; }

for line in "${AGENT_LINES[@]}"; do
  read -r agent encoder <<< "$line"
  env=Sprites-v1
  [ "$agent" = oracle ] && env=SpritesState-v1
  common="--env=$env --agent=$agent $encoder --steps_per_epoch=1000 --minibatch_size=250
    --device=cuda --out_dir=$OUT_DIR --exp_name=$agent --verbose=False"
  # shellcheck disable=SC2086
  python main.py train_ppo $common --epochs=2 > /dev/null
  # shellcheck disable=SC2086
  python main.py train_ppo $common --epochs=3 --resume > /dev/null
  run="$OUT_DIR/$agent/${agent}_s0"
  epochs=$(python -c "from spinup.logx import read_progress; print(len(read_progress('$run')['Epoch']))")
  [ "$epochs" -eq 3 ] || { echo "$agent: expected 3 epochs in $run/progress.txt, got $epochs" >&2; exit 1; }
  echo "$agent: 3 epochs on cuda; $(python main.py test_policy --run_dir="$run" --episodes=2 --gif="" --png="" | sed -n 1p)"
done

for device in cuda cpu; do
  python main.py train_ppo --env=Sprites-v1 --agent=cnn --steps_per_epoch=4000 --epochs=2 --device=$device \
    --train_iters=2 --minibatch_size=1000 --out_dir="$OUT_DIR/speed" --exp_name="cnn_$device" --verbose=False > /dev/null
  python -c "from spinup.logx import read_progress
print(f\"cnn on $device: {read_progress('$OUT_DIR/speed/cnn_$device/cnn_${device}_s0')['StepsPerSec'][-1]:.0f} env steps per second (epoch 2 of 2, 4000 steps)\")"
done
