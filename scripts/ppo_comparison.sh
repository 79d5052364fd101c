#!/usr/bin/env bash
# The method's Figure 3: every agent on Sprites-v0/1/2 (0/1/2 distractors), 3 seeds each, 1M env steps
# (more for the agents still rising at 1M, resumed from their checkpoints: cnn 3M, image-scratch and
# image-reconstruction-finetune 2M).
# Results: logs/comparison/<agent>_<env>/<agent>_<env>_s<seed>/{progress.txt,config.json}.
# Usage: [DISTRACTORS="0 1 2"] [SEEDS="0 1 2"] [MAX_JOBS=2] [OUT_DIR=...] [FINETUNE_FLAGS=...] [LONGER_AGENTS=...]
#        [RP_ENCODERS="<d0 folder> <d1 folder> <d2 folder>"]
#        bash scripts/ppo_comparison.sh [agent ...]
# (default: all agents); finished runs are skipped, interrupted ones resumed.
set -euo pipefail
cd "$(dirname "$0")/.."

AGENTS=${*:-"reward-prediction reward-prediction-recurrent reward-prediction-finetune image-reconstruction
  image-reconstruction-finetune image-scratch cnn"}
DISTRACTORS=${DISTRACTORS:-"0 1 2"}
SEEDS=${SEEDS:-"0 1 2"}
EPOCHS=250                 # 250 x 4000 = 1M env steps
LONGER_AGENTS=${LONGER_AGENTS-"cnn image-scratch image-reconstruction-finetune"}  # these run LONGER_EPOCHS
# epochs of the LONGER_AGENTS (3M / 2M env steps; 500 for any other agent named there)
declare -A LONGER_EPOCHS=([cnn]=750 [image-scratch]=500 [image-reconstruction-finetune]=500)
STEPS_PER_EPOCH=4000
OUT_DIR=${OUT_DIR:-logs/comparison}
ENCODERS=logs/encoders     # reward_prediction_d<d>/ and reconstruction_d<d>/ (scripts/pretrain_encoders.sh)
# the reward-prediction encoders for 0, 1 and 2 distractors (folders in ENCODERS)
read -r -a RP_ENCODERS <<< "${RP_ENCODERS:-reward_prediction_d0 reward_prediction_d1 reward_prediction_d2}"
[ "${#RP_ENCODERS[@]}" -eq 3 ] || { echo "RP_ENCODERS must name 3 folders (0, 1, 2 distractors), got: ${RP_ENCODERS[*]}" >&2; exit 1; }
MAX_JOBS=${MAX_JOBS:-2}    # 2 cores: two single-threaded runs at a time
mkdir -p "$OUT_DIR"
export OMP_NUM_THREADS=1

# per-agent PPO settings on top of train_ppo's defaults (the same as spinup/benchmark.py RESULT_FLAGS)
# fine-tuned encoders: 64 small steps per epoch, about as many head updates as the frozen agents' 10 x 500
FINETUNE_FLAGS=${FINETUNE_FLAGS:-"--train_iters=4 --minibatch_size=250"}
declare -A FLAGS=(
  [reward-prediction]=""
  [reward-prediction-recurrent]=""
  [image-reconstruction]=""
  [cnn]="--train_iters=2 --minibatch_size=1000"
  [image-scratch]="--train_iters=4 --minibatch_size=1000"
  [image-reconstruction-finetune]="$FINETUNE_FLAGS"
  [reward-prediction-finetune]="$FINETUNE_FLAGS"
)

encoder_for() {  # agent distractors -> checkpoint folder (empty for agents without one)
  case "$1" in
    reward-prediction*) echo "--encoder=$ENCODERS/${RP_ENCODERS[$2]}" ;;
    image-reconstruction*) echo "--encoder=$ENCODERS/reconstruction_d$2" ;;
    *) echo "" ;;
  esac
}

for agent in $AGENTS; do
  for d in $DISTRACTORS; do
    env="Sprites-v$d"
    exp="${agent}_${env}"
    epochs=$EPOCHS
    [[ " $LONGER_AGENTS " == *" $agent "* ]] && epochs=${LONGER_EPOCHS[$agent]:-500}
    for seed in $SEEDS; do
      run="$OUT_DIR/$exp/${exp}_s$seed"
      if [ -f "$run/progress.txt" ] && [ "$(($(wc -l < "$run/progress.txt") - 1))" -ge "$epochs" ]; then
        continue
      fi
      resume=""
      [ -f "$run/model.pt" ] && resume="--resume"
      while [ "$(jobs -rp | wc -l)" -ge "$MAX_JOBS" ]; do sleep 5; done
      echo "== $run"
      # shellcheck disable=SC2086
      python main.py train_ppo --env="$env" --agent="$agent" $(encoder_for "$agent" "$d") --seed="$seed" \
        --epochs="$epochs" --steps_per_epoch="$STEPS_PER_EPOCH" --threads=1 --out_dir="$OUT_DIR" \
        --exp_name="$exp" --verbose=False ${FLAGS[$agent]} $resume > "$OUT_DIR/${exp}_s$seed.log" 2>&1 &
    done
  done
done
wait
