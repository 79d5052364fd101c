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

encoder_for() {  # agent -> --encoder flag (1 distractor) or nothing
  case "$1" in
    reward-prediction*) echo "--encoder=$ENCODERS/reward_prediction_d1" ;;
    image-reconstruction*) echo "--encoder=$ENCODERS/reconstruction_d1" ;;
    *) echo "" ;;
  esac
}

for agent in oracle cnn image-scratch image-reconstruction image-reconstruction-finetune reward-prediction \
  reward-prediction-finetune reward-prediction-recurrent; do
  env=Sprites-v1
  [ "$agent" = oracle ] && env=SpritesState-v1
  common="--env=$env --agent=$agent $(encoder_for "$agent") --steps_per_epoch=1000 --minibatch_size=250
    --device=cuda --out_dir=$OUT_DIR --exp_name=$agent --verbose=False"
  # shellcheck disable=SC2086
  python main.py train_ppo $common --epochs=2 > /dev/null
  # shellcheck disable=SC2086
  python main.py train_ppo $common --epochs=3 --resume > /dev/null
  run="$OUT_DIR/$agent/${agent}_s0"
  [ "$(($(wc -l < "$run/progress.txt") - 1))" -eq 3 ] || { echo "$agent: expected 3 epochs in $run/progress.txt" >&2; exit 1; }
  echo "$agent: 3 epochs on cuda; $(python main.py test_policy --run_dir="$run" --episodes=2 --gif="" --png="" | sed -n 1p)"
done

for device in cuda cpu; do
  python main.py train_ppo --env=Sprites-v1 --agent=cnn --steps_per_epoch=4000 --epochs=2 --device=$device \
    --train_iters=2 --minibatch_size=1000 --out_dir="$OUT_DIR/speed" --exp_name="cnn_$device" --verbose=False > /dev/null
  python - "$OUT_DIR/speed/cnn_$device/cnn_${device}_s0/progress.txt" "$device" <<'EOF'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
col = rows[0].index("StepsPerSec")
print(f"cnn on {sys.argv[2]}: {float(rows[-1][col]):.0f} env steps per second (epoch 2 of 2, 4000 steps)")
EOF
done
