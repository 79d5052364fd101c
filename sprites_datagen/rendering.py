"""Rendering of sprites: shape templates and a vectorised canvas renderer."""
import numpy as np

from .world import OBJ_SIZE, RESOLUTION, SHAPE_NAMES

# The 12x12 templates at resolution 64 exactly as OpenCV rasterises the spec's shapes
# (rectangle, filled circle, filled triangles); '#' is 255, '.' is 0.
_TEMPLATES_12 = {
    "rectangle": (
        "............"
        ".##########."
        ".##########."
        ".##########."
        ".##########."
        ".##########."
        ".##########."
        ".##########."
        ".##########."
        ".##########."
        ".##########."
        "............"
    ),
    "circle": (
        "............"
        "............"
        "......#....."
        "....#####..."
        "...#######.."
        "...#######.."
        "..#########."
        "...#######.."
        "...#######.."
        "....#####..."
        "......#....."
        "............"
    ),
    "tri_right": (
        "............"
        ".#.........."
        ".###........"
        ".#####......"
        ".#######...."
        ".#########.."
        ".##########."
        ".########..."
        ".######....."
        ".####......."
        ".##........."
        "............"
    ),
    "tri_bottom": (
        "............"
        ".##########."
        "..#########."
        "..########.."
        "...#######.."
        "...######..."
        "....#####..."
        "....####...."
        ".....###...."
        ".....##....."
        "......#....."
        "............"
    ),
    "tri_left": (
        "............"
        "..........#."
        "........###."
        "......#####."
        "....#######."
        "..#########."
        ".##########."
        "...########."
        ".....######."
        ".......####."
        ".........##."
        "............"
    ),
    "tri_top": (
        "............"
        "......#....."
        ".....##....."
        ".....###...."
        "....####...."
        "....#####..."
        "...######..."
        "...#######.."
        "..########.."
        "..#########."
        ".##########."
        "............"
    ),
}


def _geometric_template(name, s):
    """An (s, s) bool template with pixel centres tested against the spec's shape (any size s)."""
    yy, xx = np.mgrid[0:s, 0:s]
    lo, hi, mid = 1, s - 2, int(s / 2)
    if name == "rectangle":
        return (xx >= lo) & (xx <= hi) & (yy >= lo) & (yy <= hi)
    if name == "circle":
        return (xx - mid) ** 2 + (yy - mid) ** 2 <= int(s / 3) ** 2
    vertices = {  # OpenCV (x=column, y=row) points
        "tri_right": [(lo, lo), (lo, hi), (hi, mid)],
        "tri_bottom": [(lo, lo), (hi, lo), (mid, hi)],
        "tri_left": [(hi, lo), (hi, hi), (lo, mid)],
        "tri_top": [(lo, hi), (hi, hi), (mid, lo)],
    }[name]
    edges = [
        (bx - ax) * (yy - ay) - (by - ay) * (xx - ax)
        for (ax, ay), (bx, by) in zip(vertices, vertices[1:] + vertices[:1])
    ]
    return np.all([e >= 0 for e in edges], axis=0) | np.all([e <= 0 for e in edges], axis=0)


def shape_templates(resolution=RESOLUTION):
    """uint8 (6, s, s) templates of 0/255, indexed by shape index, s = int(0.2 * resolution).

    At resolution 64 these are OpenCV's rasterisation, pixel for pixel; at other resolutions the
    shapes are rasterised geometrically (close to, not identical with, OpenCV).
    """
    s = int(OBJ_SIZE * resolution)
    if s == 12:
        masks = [np.frombuffer(_TEMPLATES_12[n].encode(), np.uint8).reshape(s, s) == ord("#")
                 for n in SHAPE_NAMES]
    else:
        masks = [_geometric_template(n, s) for n in SHAPE_NAMES]
    return np.asarray(masks, dtype=np.uint8) * 255


_TEMPLATE_CACHE = {}


def _cached_templates(resolution):
    if resolution not in _TEMPLATE_CACHE:
        _TEMPLATE_CACHE[resolution] = shape_templates(resolution)
    return _TEMPLATE_CACHE[resolution]


def render(positions, shape_idxs, resolution=RESOLUTION):
    """Draw objects on black canvases, combining them by per-pixel maximum.

    positions: (..., n, 2) float, (p0 row, p1 column) in the unit square.
    shape_idxs: (..., n) or (n,) int shape indices (broadcast against positions).
    Returns uint8 (..., R, R) with R = resolution.
    """
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim < 2 or positions.shape[-1] != 2:
        raise ValueError(f"positions must have shape (..., n, 2), got {positions.shape}")
    if not isinstance(resolution, int) or resolution < 5:
        raise ValueError(f"resolution must be an int >= 5, got {resolution!r}")
    shape_idxs = np.broadcast_to(np.asarray(shape_idxs), positions.shape[:-1])
    if shape_idxs.size and (shape_idxs.min() < 0 or shape_idxs.max() >= len(SHAPE_NAMES)):
        raise ValueError(f"shape_idxs must lie in 0..{len(SHAPE_NAMES) - 1}, got {shape_idxs}")
    lead, n = positions.shape[:-2], positions.shape[-2]
    pos = positions.reshape(-1, n, 2)
    shapes = shape_idxs.reshape(-1, n)
    frames = pos.shape[0]

    templates = _cached_templates(resolution)
    s = templates.shape[-1]
    r = int(np.round(s / 2))
    corner = (pos * (resolution - 1)).astype(np.int64) - (s - r)  # top-left pixel of each template
    # Pad the canvas only when a template would fall off it (never for states within bounds).
    pad = 0 if corner.size == 0 or (corner.min() >= 0 and corner.max() <= resolution - s) else s
    width = resolution + 2 * pad
    corner = np.clip(corner + pad, 0, width - s)
    canvas = np.zeros(frames * width * width, dtype=np.uint8)
    offsets = (np.arange(s)[:, None] * width + np.arange(s)[None, :]).reshape(-1)
    flat_templates = templates.reshape(len(SHAPE_NAMES), -1)
    frame_base = np.arange(frames)[:, None] * (width * width)
    for k in range(n):
        index = frame_base + (corner[:, k, 0] * width + corner[:, k, 1])[:, None] + offsets
        canvas[index] = np.maximum(canvas[index], flat_templates[shapes[:, k]])
    canvas = canvas.reshape(frames, width, width)
    if pad:
        canvas = np.ascontiguousarray(canvas[:, pad : pad + resolution, pad : pad + resolution])
    return canvas.reshape(*lead, resolution, resolution)
