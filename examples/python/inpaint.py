#!/usr/bin/env python3
"""Inpainting a photograph with the DLN gradient flow: hide a fraction of the pixels at random and
fill them in as a matrix-completion problem, at depths 1, 2, 3 and with the nuclear-norm baseline.

    PYTHONPATH=build/python python3 examples/python/inpaint.py [image.png ...]
        [--observed 0.3] [--size 128] [--seed 1] [--figure inpaint.png] [--json out.json]

Without an image it uses camera.png from python3-skimage's data folder. Images are read with
Pillow (python3-pil), converted to grayscale with values in [0, 1] and resized to --size pixels on
the longer side; the figure needs matplotlib (python3-matplotlib). For each method it prints the
PSNR on the hidden pixels, the effective rank of the reconstruction and the time.

Natural images are only close to low rank, so a flow run to an exact fit of the observed pixels
would fit their noise too; as in the DLN papers the flow is stopped early, at a train MSE of
--target-train-mse (default 1e-2 of the centred image's mean square).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

import riemopt as ro

DEFAULT_IMAGE = "/usr/lib/python3/dist-packages/skimage/data/camera.png"


def load_grayscale(path, size):
    """The image at `path` as a float array in [0, 1], longer side resized to `size`."""
    from PIL import Image  # python3-pil

    with Image.open(path) as im:
        im = im.convert("L")
        scale = size / max(im.size)
        if scale < 1:
            im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                           Image.LANCZOS)
        return np.asarray(im, dtype=float) / 255.0


def psnr(estimate, truth, where):
    mse = float(np.mean((np.clip(estimate, 0, 1)[where] - truth[where]) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(1.0 / mse)


def effective_rank(x):
    s = np.linalg.svd(x, compute_uv=False)
    p = s / s.sum()
    p = p[p > 0]
    return float(math.exp(-np.sum(p * np.log(p))))


def inpaint(image, observed_fraction, depths=(1, 2, 3), seed=1, target_train_mse=1e-2,
            max_time=120.0, nuclear_norm=True):
    """Completes `image` from a random `observed_fraction` of its pixels.

    Returns (mask, rows) with rows = [{method, psnr, effective_rank, seconds, status, image}].
    The observed pixels are centred and scaled to unit mean square before completion (the
    start scale 1e-3 and `target_train_mse` are relative to that), and restored after.
    """
    if not 0 < observed_fraction < 1:
        raise ValueError(f"observed_fraction must be in (0, 1); got {observed_fraction}")
    rng = np.random.default_rng(seed)
    mask = rng.random(image.shape) < observed_fraction
    if not mask.any():
        raise ValueError("no pixel observed; raise observed_fraction or the image size")
    hidden = ~mask
    rows, cols = np.nonzero(mask)
    mean = float(image[mask].mean())
    scale = float(np.sqrt(np.mean((image[mask] - mean) ** 2))) or 1.0
    values = (image[mask] - mean) / scale
    out = []
    for depth in depths:
        start = time.perf_counter()
        c = ro.complete(image.shape, rows, cols, values, depth=depth,
                        geometry="dln" if depth > 1 else "euclidean",
                        target_train_mse=target_train_mse, max_time=max_time, seed=seed)
        x = c.x * scale + mean
        out.append({"method": f"DLN depth {depth}", "psnr": psnr(x, image, hidden),
                    "effective_rank": effective_rank(x - mean),
                    "seconds": time.perf_counter() - start, "status": c.summary.status,
                    "image": x})
    if nuclear_norm:
        start = time.perf_counter()
        r = ro.complete_nuclear_norm(image.shape, rows, cols, values, gap_tolerance=1e-4,
                                     max_wall_seconds=max_time)
        x = r.low_rank * scale + mean
        out.append({"method": "nuclear norm", "psnr": psnr(x, image, hidden),
                    "effective_rank": effective_rank(x - mean),
                    "seconds": time.perf_counter() - start, "status": r.status, "image": x})
    return mask, out


def write_figure(path, image, mask, rows, title):
    import matplotlib  # python3-matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("original", image), (f"observed ({mask.mean():.0%})", np.where(mask, image, 0.0))]
    panels += [(f"{r['method']}\nPSNR {r['psnr']:.1f} dB", np.clip(r["image"], 0, 1)) for r in rows]
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 3.0))
    for ax, (label, im) in zip(axes, panels):
        ax.imshow(im, cmap="gray", vmin=0, vmax=1)
        ax.set_title(label, fontsize=9)
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    from PIL import Image  # the panels are gray: an 8-bit gray PNG is half the size

    with Image.open(path) as im:
        gray = im.convert("L")
    gray.save(path, optimize=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("images", nargs="*", help="PNG/JPEG files (default: skimage's camera)")
    parser.add_argument("--observed", type=float, default=0.3, help="fraction observed (0.3)")
    parser.add_argument("--size", type=int, default=128, help="longer side in pixels (128)")
    parser.add_argument("--depths", default="1,2,3", help="DLN depths (1,2,3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target-train-mse", type=float, default=1e-2)
    parser.add_argument("--max-time", type=float, default=120.0, help="per method, seconds")
    parser.add_argument("--figure", default="inpaint.png", help="'' for none")
    parser.add_argument("--json", default="", help="write the table here")
    args = parser.parse_args(argv)
    images = args.images or [DEFAULT_IMAGE]
    try:
        depths = [int(d) for d in args.depths.split(",")]
        if args.size < 2:
            raise ValueError(f"--size must be >= 2 (got {args.size})")
        table = []
        for k, path in enumerate(images):
            if not os.path.isfile(path):
                raise ValueError(f"no image at {path}" + (
                    " (install python3-skimage, or give a PNG)" if path == DEFAULT_IMAGE else ""))
            image = load_grayscale(path, args.size)
            mask, rows = inpaint(image, args.observed, depths, args.seed, args.target_train_mse,
                                 args.max_time)
            name = os.path.basename(path)
            print(f"{name} {image.shape[0]}x{image.shape[1]}, {args.observed:.0%} observed")
            print(f"  {'method':14} {'PSNR (dB)':>9} {'eff. rank':>9} {'time (s)':>8}  status")
            for r in rows:
                print(f"  {r['method']:14} {r['psnr']:9.2f} {r['effective_rank']:9.2f} "
                      f"{r['seconds']:8.2f}  {r['status']}")
                table.append({"image": name, "observed": args.observed,
                              **{key: r[key] for key in r if key != "image"}})
            if args.figure:
                root, ext = os.path.splitext(args.figure)
                figure = args.figure if len(images) == 1 else f"{root}-{k + 1}{ext}"
                write_figure(figure, image, mask, rows,
                             f"{name}: {args.observed:.0%} of the pixels observed")
                print(f"  figure: {figure}")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(table, f, indent=1)
    except (ValueError, OSError, ImportError) as e:
        print(f"inpaint: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
