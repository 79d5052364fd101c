import json

import pytest

from atomic_io import atomic_save_json, atomic_write


def test_failed_write_keeps_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "config.json"
    atomic_save_json(path, {"a": 1})

    def crash(tmp):
        with open(tmp, "w") as f:
            f.write("{half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, crash)
    assert json.loads(path.read_text()) == {"a": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]
