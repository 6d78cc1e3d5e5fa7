"""examples/python/inpaint.py on a small synthetic image (no image package needed)."""
import importlib.util
import os

import numpy as np
import pytest


@pytest.fixture(scope="module")
def inpaint_module():
    source = os.environ.get("RIEMOPT_SOURCE_DIR")
    if not source:
        pytest.skip("RIEMOPT_SOURCE_DIR is not set (run through ctest)")
    spec = importlib.util.spec_from_file_location(
        "inpaint", os.path.join(source, "examples", "python", "inpaint.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic_image(n=40):
    # A smooth rank-3 picture in [0, 1]: what inpainting by low rank should recover.
    t = np.linspace(0, 1, n)
    x = (np.outer(np.sin(3 * t), np.cos(2 * t)) + 0.5 * np.outer(t, t ** 2)
         + 0.3 * np.outer(np.cos(5 * t), np.sin(4 * t)))
    return (x - x.min()) / (x.max() - x.min())


def test_dln_recovers_a_low_rank_image_and_depth_1_does_not(inpaint_module):
    image = synthetic_image()
    mask, rows = inpaint_module.inpaint(image, 0.5, depths=(1, 3), seed=2,
                                        target_train_mse=1e-8, max_time=60)
    by = {r["method"]: r for r in rows}
    assert abs(mask.mean() - 0.5) < 0.05
    # Depth 1 (the Euclidean flow) leaves the hidden pixels at the start, near the mean.
    mean_fill = inpaint_module.psnr(np.full(image.shape, image[mask].mean()), image, ~mask)
    assert abs(by["DLN depth 1"]["psnr"] - mean_fill) < 1.0
    assert by["DLN depth 3"]["psnr"] > 40 and by["DLN depth 3"]["effective_rank"] < 4
    assert by["nuclear norm"]["psnr"] > 30
    for r in rows:
        assert r["status"] == "converged" and r["image"].shape == image.shape


def test_command_line_errors_exit_non_zero(inpaint_module, tmp_path, capsys):
    assert inpaint_module.main([str(tmp_path / "missing.png"), "--figure", ""]) == 1
    assert "no image at" in capsys.readouterr().err
    with pytest.raises(ValueError, match="observed_fraction"):
        inpaint_module.inpaint(synthetic_image(8), 1.5)
