"""The Python snippet in README.md runs as shown."""
import os
import re

import pytest


def test_readme_python_snippet_runs(capsys):
    source = os.environ.get("RIEMOPT_SOURCE_DIR")
    if not source:
        pytest.skip("RIEMOPT_SOURCE_DIR is not set (run through ctest)")
    with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README.md has no ```python block"
    exec(compile(blocks[0], "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "euclidean" in out and "dln" in out
