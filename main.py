"""One entry point for every job: `python main.py <subcommand> [--flag=value ...]` (python-fire).

Flags are checked against the subcommand's signature before any work starts; values are validated
by the subcommand itself.
"""
import importlib
import inspect
import sys

import fire

COMMANDS = {
    "visualize_dataset": "sprites_datagen.visualize:visualize_dataset",
    "benchmark_env": "sprites_env.benchmark:benchmark_env",
    "train_encoder": "train:train_encoder",
    "eval_encoder": "train:eval_encoder",
    "eval_extrapolation": "train:eval_extrapolation",
    "train_decoder": "train:train_decoder",
    "visualize_decoder": "train:visualize_decoder",
    "train_reconstruction": "train:train_reconstruction",
    "plot_losses": "train:plot_losses",
    "figure2": "train:figure2",
    "benchmark": "train:benchmark",
    "train_ppo": "spinup.ppo:train_ppo",
    "benchmark_ppo": "spinup.benchmark:benchmark_ppo",
    "plot": "spinup.plot:plot",
    "test_policy": "spinup.test_policy:test_policy",
    "results": "spinup.results:results",
    "pipeline": "pipeline:pipeline",
}


def _load(name):
    module_name, attr = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module_name), attr)


def check_flags(name, fn, args):
    """Raise SystemExit naming any --flag in args that fn does not take, before anything runs.

    (python-fire itself reports unknown flags only after calling the function.)
    """
    params = inspect.signature(fn).parameters
    for token in args:
        if token == "--":
            break
        if not token.startswith("--") or token == "--help":
            continue
        flag = token[2:].split("=", 1)[0].replace("-", "_")
        if flag not in params and not (flag.startswith("no") and flag[2:] in params):
            valid = ", ".join(f"--{p}" for p in params)
            raise SystemExit(f"{name}: unknown flag {token.split('=', 1)[0]!r}. Valid flags: {valid}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        if argv and argv[0] not in ("-h", "--help"):
            print(f"unknown subcommand {argv[0]!r}; valid: {', '.join(COMMANDS)}", file=sys.stderr)
            return 2
        print(__doc__ + "\nSubcommands: " + ", ".join(COMMANDS))
        return 0
    fn = _load(argv[0])
    check_flags(argv[0], fn, argv[1:])
    fire.Fire(fn, command=argv[1:], name=argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
