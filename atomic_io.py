"""Atomic file writes: a reader (or a run killed mid-write) never sees a half-written file."""
import json
import os


def atomic_write(path, write):
    """Call write(tmp_path), then rename tmp_path onto path (os.replace is atomic on one filesystem)."""
    path = os.fspath(path)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_save_json(path, obj, **dump_kwargs):
    """json.dump(obj) to path atomically (indent=2 unless given)."""
    dump_kwargs.setdefault("indent", 2)

    def write(tmp):
        with open(tmp, "w") as f:
            json.dump(obj, f, **dump_kwargs)
    atomic_write(path, write)


def atomic_torch_save(obj, path):
    """torch.save(obj, path) atomically."""
    import torch
    atomic_write(path, lambda tmp: torch.save(obj, tmp))
