"""Build the hostile input corpus in a folder: every kind of file a public lab receives.

Files are generated (not committed) so the corpus stays small in the repository and each case
says what it is. ``IMAGE_CASES`` maps a case name to whether the lab should *accept* the file
(an odd but valid image: it is converted) or *refuse* it with a sentence.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

Builder = Callable[[Path], Path]


def _photo(size=(64, 48)) -> Image.Image:
    y, x = np.mgrid[0:size[1], 0:size[0]]
    pixels = np.stack([x * 4 % 256, y * 5 % 256, (x + y) * 3 % 256], axis=-1).astype(np.uint8)
    return Image.fromarray(pixels)


def _save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def truncated_jpeg(folder: Path) -> Path:
    data = io.BytesIO()
    _photo().save(data, "JPEG", quality=90)
    path = folder / "truncated.jpg"
    path.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    return path


def truncated_png(folder: Path) -> Path:
    data = io.BytesIO()
    _photo().save(data, "PNG")
    path = folder / "truncated.png"
    path.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    return path


def corrupt_png(folder: Path) -> Path:
    buffer = io.BytesIO()
    _photo().save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[40:80] = b"\x00" * 40  # a damaged IDAT chunk
    path = folder / "corrupt.png"
    path.write_bytes(bytes(data))
    return path


def decompression_bomb(folder: Path) -> Path:
    """A tiny PNG that claims 40 000 × 40 000 pixels (1.6 gigapixels)."""
    return _save(Image.new("1", (40_000, 40_000)), folder / "bomb.png", optimize=True)


def one_pixel(folder: Path) -> Path:
    return _save(Image.new("RGB", (1, 1), (200, 30, 30)), folder / "one_pixel.png")


def cifar_size(folder: Path) -> Path:
    return _save(_photo((32, 32)), folder / "cifar.png")


def very_wide(folder: Path) -> Path:
    return _save(Image.new("RGB", (20_000, 3), (10, 120, 200)), folder / "wide.png")


def sixteen_bit(folder: Path) -> Path:
    values = (np.arange(64 * 48, dtype=np.uint32).reshape(48, 64) * 21).astype(np.uint16)
    return _save(Image.fromarray(values), folder / "sixteen.png")  # uint16 → mode I;16


def cmyk_jpeg(folder: Path) -> Path:
    return _save(_photo().convert("CMYK"), folder / "cmyk.jpg", quality=90)


def palette_transparency(folder: Path) -> Path:
    image = _photo().convert("P")
    return _save(image, folder / "palette.png", transparency=0)


def exif_rotated(folder: Path) -> Path:
    image = _photo((64, 32))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    return _save(image, folder / "rotated.jpg", exif=exif.tobytes())


def animated_gif(folder: Path) -> Path:
    frames = [_photo().convert("P"), Image.new("P", (64, 48), 3)]
    return _save(frames[0], folder / "animated.gif", save_all=True, append_images=frames[1:],
                 duration=100, loop=0)


def svg(folder: Path) -> Path:
    path = folder / "drawing.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                    '<rect width="10" height="10"/></svg>')
    return path


def text_as_png(folder: Path) -> Path:
    path = folder / "notes.png"
    path.write_text("This is not an image, only a text file with a .png name.\n")
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "empty.png"
    path.write_bytes(b"")
    return path


#: case → (builder, "accept" or "refuse")
IMAGE_CASES: dict[str, tuple[Builder, str]] = {
    "truncated jpeg": (truncated_jpeg, "refuse"),
    "truncated png": (truncated_png, "refuse"),
    "corrupt png": (corrupt_png, "refuse"),
    "decompression bomb": (decompression_bomb, "refuse"),
    "1x1": (one_pixel, "refuse"),
    "20000x3": (very_wide, "refuse"),
    "32x32": (cifar_size, "accept"),
    "16-bit png": (sixteen_bit, "accept"),
    "cmyk jpeg": (cmyk_jpeg, "accept"),
    "palette + transparency": (palette_transparency, "accept"),
    "exif rotated": (exif_rotated, "accept"),
    "animated gif": (animated_gif, "accept"),
    "svg": (svg, "refuse"),
    "text renamed .png": (text_as_png, "refuse"),
    "empty file": (empty_file, "refuse"),
}

#: texts a description or search field receives
TEXTS: dict[str, str] = {
    "empty": "",
    "whitespace only": " \t \n  ",
    "10000 characters": "a dog " * 1667,
    "emoji and right-to-left": "🐶🐱 كلب قطة כלב חתול",
    "control characters": "a\x00dog\x07in\x1b[31m a park\r",
    "500 lines": "\n".join(f"a photo of thing number {i}" for i in range(500)),
    "html and script": '<img src=x onerror="alert(1)"><script>alert(2)</script> a cat',
}

#: numbers a numeric field receives (None is an empty field)
NUMBERS: dict[str, object] = {
    "nan": math.nan,
    "+inf": math.inf,
    "-inf": -math.inf,
    "negative": -3,
    "huge": 10**12,
    "fraction where a whole number belongs": 2.5,
    "empty": None,
}


def build_images(folder: Path) -> dict[str, tuple[Path, str]]:
    """Write every image case into ``folder``; returns case → (path, expected)."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: (build(folder), expected) for name, (build, expected) in IMAGE_CASES.items()}
