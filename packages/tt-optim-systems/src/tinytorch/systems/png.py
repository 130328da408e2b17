"""A tiny raster canvas and PNG writer in NumPy (the parts depend on NumPy alone: no matplotlib).

A PNG file is an 8-byte signature followed by chunks ``length, type, data, CRC-32``:
``IHDR`` (width, height, bit depth 8, colour type 2 = RGB), ``IDAT`` (the zlib-compressed rows,
each prefixed with filter byte 0 = "none"), and ``IEND``. That is all :func:`write_png` writes.

:class:`Canvas` draws the few shapes a chart needs -- lines, filled circles, rectangles and text
in a 5x7 pixel font -- into an ``(H, W, 3)`` uint8 array, with array slicing, not pixel loops.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ._io import write_atomic

__all__ = ["Canvas", "write_png", "read_png", "PALETTE"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
"""Ten distinguishable colours (matplotlib's "tab10")."""

# 5x7 glyphs: the character, then 7 rows top to bottom, each row a base-32 digit whose 5 bits
# are the pixels left to right. Lower-case letters are drawn in upper case.
_FONT_TABLE = (
    "0EHJLPHE 14C4444E 2EH1248V 3V2421HE 426AIV22 5VGU11HE 668GUHHE 7V124888 8EHHEHHE "
    "9EHHF12C AEHHVHHH BUHHUHHU CEHGGGHE DSIHHHIS EVGGUGGV FVGGUGGG GEHGNHHF HHHHVHHH "
    "IE44444E J72222IC KHIKOKIH LGGGGGGV MHRLLHHH NHHPLJHH OEHHHHHE PUHHUGGG QEHHHLID "
    "RUHHUKIH SFGGE11U TV444444 UHHHHHHE VHHHHHA4 WHHHLLLA XHHA4AHH YHHHA444 ZV1248GV "
    ".00000CC -000V000 _000000V %OP248J3 (2488842 )8422248 /01248G0 :0CC0CC0 +044V440 "
    "=00V0V00 ,0000C48 >8421248 <248G842 ?EH12404 *0LEVEL0"
)


def _glyphs() -> dict[str, np.ndarray]:
    bits = np.array([16, 8, 4, 2, 1])
    table = {}
    for entry in _FONT_TABLE.split():
        rows = np.array([int(c, 32) for c in entry[1:]])
        table[entry[0]] = (rows[:, None] & bits) > 0  # (7, 5) booleans
    table[" "] = np.zeros((7, 5), dtype=bool)
    return table


_GLYPHS = _glyphs()
GLYPH_W, GLYPH_H = 5, 7


def write_png(path: str | os.PathLike[str], image: np.ndarray) -> Path:
    """Write an ``(H, W, 3)`` uint8 RGB image as a PNG file (atomically); returns the path."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"write_png expects an (H, W, 3) uint8 image, got shape "
                         f"{image.shape} and dtype {image.dtype}")
    height, width, _ = image.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), image.reshape(height, -1)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    blob = (PNG_SIGNATURE + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)) + chunk(b"IEND", b""))
    return write_atomic(path, blob)


def read_png(path: str | os.PathLike[str]) -> np.ndarray:
    """Read back a PNG written by :func:`write_png` (8-bit RGB, filter 0 only), checking CRCs."""
    blob = Path(path).read_bytes()
    if not blob.startswith(PNG_SIGNATURE):
        raise ValueError(f"{path}: not a PNG file")
    pos, data, size = len(PNG_SIGNATURE), b"", None
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos:pos + 4])
        kind, body = blob[pos + 4:pos + 8], blob[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", blob[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError(f"{path}: bad CRC in chunk {kind!r}")
        if kind == b"IHDR":
            size = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    if size is None or size[2:5] != (8, 2, 0):
        raise ValueError(f"{path}: only 8-bit RGB PNGs are supported, header {size}")
    width, height = size[0], size[1]
    rows = np.frombuffer(zlib.decompress(data), np.uint8).reshape(height, 1 + 3 * width)
    if np.any(rows[:, 0] != 0):
        raise ValueError(f"{path}: only filter type 0 is supported")
    return rows[:, 1:].reshape(height, width, 3).copy()


class Canvas:
    """A white ``height x width`` RGB image to draw on; ``(x, y)`` is (column, row) from the
    top-left corner. Shapes falling partly outside are clipped."""

    def __init__(self, width: int, height: int, background: tuple[int, int, int] = (255,) * 3):
        self.image = np.empty((height, width, 3), np.uint8)
        self.image[...] = background

    @property
    def width(self) -> int:
        return self.image.shape[1]

    @property
    def height(self) -> int:
        return self.image.shape[0]

    def _paint(self, ys: np.ndarray, xs: np.ndarray, color: tuple[int, int, int]) -> None:
        ys, xs = np.asarray(ys, np.int64).ravel(), np.asarray(xs, np.int64).ravel()
        inside = (ys >= 0) & (ys < self.height) & (xs >= 0) & (xs < self.width)
        self.image[ys[inside], xs[inside]] = color

    def rect(self, x0: float, y0: float, x1: float, y1: float,
             color: tuple[int, int, int]) -> None:
        """Fill the rectangle with corners ``(x0, y0)`` and ``(x1, y1)`` (inclusive)."""
        xa, xb = sorted((int(round(x0)), int(round(x1))))
        ya, yb = sorted((int(round(y0)), int(round(y1))))
        xa, ya = max(xa, 0), max(ya, 0)
        self.image[ya:yb + 1, xa:xb + 1] = color

    def line(self, x0: float, y0: float, x1: float, y1: float, color: tuple[int, int, int],
             width: int = 1) -> None:
        """A straight line ``width`` pixels thick."""
        n = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        xs = np.rint(np.linspace(x0, x1, n)).astype(np.int64)
        ys = np.rint(np.linspace(y0, y1, n)).astype(np.int64)
        offsets = np.arange(width) - (width - 1) // 2
        oy, ox = np.meshgrid(offsets, offsets, indexing="ij")
        self._paint(ys[:, None] + oy.ravel(), xs[:, None] + ox.ravel(), color)

    def disk(self, cx: float, cy: float, radius: float, color: tuple[int, int, int]) -> None:
        """A filled circle."""
        r = int(np.ceil(radius))
        oy, ox = np.mgrid[-r:r + 1, -r:r + 1]
        keep = ox ** 2 + oy ** 2 <= radius ** 2
        self._paint(int(round(cy)) + oy[keep], int(round(cx)) + ox[keep], color)

    def text(self, x: float, y: float, text: str, color: tuple[int, int, int] = (0, 0, 0),
             scale: int = 1, anchor: str = "left") -> None:
        """Draw ``text`` with its top at ``y``; ``anchor`` is where ``x`` is: left, center,
        right. Unknown characters are drawn as ``?``."""
        width = self.text_width(text, scale)
        x = x - {"left": 0, "center": width // 2, "right": width}[anchor]
        glyphs = [_GLYPHS.get(c.upper(), _GLYPHS["?"]) for c in text]
        if not glyphs:
            return
        row = np.concatenate([np.pad(g, ((0, 0), (0, 1))) for g in glyphs], axis=1)
        row = np.kron(row, np.ones((scale, scale), dtype=bool))
        ys, xs = np.nonzero(row)
        self._paint(int(round(y)) + ys, int(round(x)) + xs, color)

    @staticmethod
    def text_width(text: str, scale: int = 1) -> int:
        """Pixels ``text`` takes horizontally."""
        return len(text) * (GLYPH_W + 1) * scale

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the image as a PNG file."""
        return write_png(path, self.image)
