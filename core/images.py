"""Safe image input: one loader for every tab.

Anything a student can hand us (a path, an upload, a PIL image, a numpy array) becomes an
RGB ``uint8`` array of shape ``(H, W, 3)``, or a :class:`ImageInputError` with a sentence
that says what was wrong. Decoding is done by Pillow; this module only decides how odd
modes are mapped to RGB and which files are refused.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.checks import InputError

MAX_PIXELS = 40_000_000
"""Largest image we decode (width × height); a 40-megapixel photo still fits."""
MIN_SIDE = 32
"""The shortest side a student's image may have (a CIFAR image has 32 pixels)."""

MAX_FILE_BYTES = 25 * 1024 * 1024
"""Largest file we read; the app also passes this as gradio's ``max_file_size``."""

ImageSource = str | Path | bytes | Image.Image | np.ndarray


class ImageInputError(InputError):
    """The input is not an image we can use; the message (English and German) is meant for the
    student."""


def load_image(source: ImageSource, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Return ``source`` as a new RGB ``uint8`` array of shape ``(H, W, 3)``.

    Transparent images are composited on white, 16-bit and float images are rescaled to
    0..255 (not clipped), EXIF orientation is applied, animations give their first frame.
    The caller's object is never modified.
    """
    if isinstance(source, np.ndarray):
        return _array_to_rgb(source)
    if isinstance(source, Image.Image):
        return _pil_to_rgb(source, max_pixels=max_pixels)
    if isinstance(source, bytes):
        return _decode(io.BytesIO(source), name=("the upload", "der Upload"), max_pixels=max_pixels)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ImageInputError(f"The image file '{path.name}' does not exist.",
                                  f"Die Bilddatei '{path.name}' gibt es nicht.")
        size = path.stat().st_size
        if size == 0:
            raise ImageInputError(f"The file '{path.name}' is empty.",
                                  f"Die Datei '{path.name}' ist leer.")
        if size > MAX_FILE_BYTES:
            raise ImageInputError(
                f"The file '{path.name}' is {size / 2**20:.0f} MB; the limit is "
                f"{MAX_FILE_BYTES / 2**20:.0f} MB. Please upload a smaller image.",
                f"Die Datei '{path.name}' ist {size / 2**20:.0f} MB groß; erlaubt sind höchstens "
                f"{MAX_FILE_BYTES / 2**20:.0f} MB. Bitte lade ein kleineres Bild hoch.",
            )
        with path.open("rb") as handle:
            return _decode(handle, name=(f"'{path.name}'", f"'{path.name}'"), max_pixels=max_pixels)
    raise ImageInputError(
        f"Expected an image, a file path or an array, got {type(source).__name__}.",
        f"Erwartet wird ein Bild, ein Dateipfad oder ein Array, nicht {type(source).__name__}.",
    )


def check_size(image: np.ndarray) -> np.ndarray:
    """``image`` (H, W, 3) when each side has at least :data:`MIN_SIDE` pixels, else an
    :class:`ImageInputError` saying why (the lab refuses such uploads; the decoder itself takes
    any size)."""
    height, width = image.shape[:2]
    if min(width, height) < MIN_SIDE:
        raise ImageInputError(
            f"The image is {width}×{height} pixels; each side needs at least {MIN_SIDE}. The "
            "models enlarge every image to about 224 pixels, and a smaller picture holds too "
            "little to see or to explain. Please upload a larger image.",
            f"Das Bild hat {width}×{height} Pixel; jede Seite braucht mindestens {MIN_SIDE}. "
            "Die Modelle vergrößern jedes Bild auf etwa 224 Pixel, und ein kleineres Bild "
            "enthält zu wenig, um etwas zu erkennen oder zu erklären. Bitte lade ein größeres "
            "Bild hoch.")
    return image


def _decode(handle, *, name: tuple[str, str], max_pixels: int) -> np.ndarray:
    """Decode ``handle``; ``name`` says what it is (English, German) in the error sentences."""
    name_en, name_de = name[0].capitalize(), name[1][:1].upper() + name[1][1:]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(handle) as image:
                return _pil_to_rgb(image, max_pixels=max_pixels)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageInputError(
                f"{name_en} declares more pixels than the lab will decode "
                f"(limit {max_pixels / 1e6:.0f} megapixels).",
                f"{name_de} hat mehr Pixel, als das Lab dekodiert "
                f"(höchstens {max_pixels / 1e6:.0f} Megapixel).",
            ) from None
        except UnidentifiedImageError:
            raise ImageInputError(
                f"{name_en} is not an image Pillow can read "
                "(try PNG or JPEG).",
                f"{name_de} ist kein Bild, das Pillow lesen kann (versuche PNG oder JPEG).",
            ) from None
        except (OSError, SyntaxError, ValueError) as error:
            if isinstance(error, ImageInputError):
                raise
            raise ImageInputError(
                f"{name_en} is damaged or truncated and cannot be decoded.",
                f"{name_de} ist beschädigt oder unvollständig und kann nicht dekodiert werden.",
            ) from None


def _pil_to_rgb(image: Image.Image, *, max_pixels: int) -> np.ndarray:
    width, height = image.size
    if width == 0 or height == 0:
        raise ImageInputError("The image has no pixels.", "Das Bild hat keine Pixel.")
    if width * height > max_pixels:
        raise ImageInputError(
            f"The image is {width}×{height} pixels; the limit is "
            f"{max_pixels / 1e6:.0f} megapixels. Please upload a smaller image.",
            f"Das Bild hat {width}×{height} Pixel; erlaubt sind höchstens "
            f"{max_pixels / 1e6:.0f} Megapixel. Bitte lade ein kleineres Bild hoch.",
        )
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    image = ImageOps.exif_transpose(image)  # returns a copy; the caller's image stays
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _array_to_rgb(np.asarray(image))
    if mode == "P" or mode == "PA" or mode == "LA":
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    return np.array(image.convert("RGB"), dtype=np.uint8)


def _array_to_rgb(array: np.ndarray) -> np.ndarray:
    """Map a gray, gray+alpha, RGB or RGBA array of any numeric dtype to RGB uint8."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (2, 3, 4)):
        raise ImageInputError(
            f"An image array must be H×W, H×W×3 or H×W×4; got shape {array.shape}.",
            f"Ein Bild-Array muss die Form H×W, H×W×3 oder H×W×4 haben, nicht {array.shape}.",
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ImageInputError("The image has no pixels.", "Das Bild hat keine Pixel.")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise ImageInputError(
            f"The image is {array.shape[1]}×{array.shape[0]} pixels; the limit is "
            f"{MAX_PIXELS / 1e6:.0f} megapixels.",
            f"Das Bild hat {array.shape[1]}×{array.shape[0]} Pixel; erlaubt sind höchstens "
            f"{MAX_PIXELS / 1e6:.0f} Megapixel.",
        )
    values = _to_unit_range(array)
    if values.ndim == 2:
        values = np.stack([values] * 3, axis=-1)
    elif values.shape[2] == 2:
        values = _composite_on_white(np.repeat(values[:, :, :1], 3, axis=2), values[:, :, 1:])
    elif values.shape[2] == 4:
        values = _composite_on_white(values[:, :, :3], values[:, :, 3:])
    return np.ascontiguousarray(np.round(values * 255.0).astype(np.uint8))


def _to_unit_range(array: np.ndarray) -> np.ndarray:
    """Scale to float64 in [0, 1]: 8/16-bit by their range, wider ints and floats by value."""
    if array.dtype == np.bool_:
        return array.astype(np.float64)
    if np.issubdtype(array.dtype, np.floating):
        values = np.nan_to_num(array.astype(np.float64))
        low, high = values.min(), values.max()
        if low >= 0.0 and high <= 1.0:
            return values
        if low >= 0.0 and high <= 255.0:
            return values / 255.0
        return (values - low) / (high - low) if high > low else np.zeros_like(values)
    if not np.issubdtype(array.dtype, np.integer):
        raise ImageInputError(f"Pixel values of type {array.dtype} are not supported.",
                              f"Pixelwerte vom Typ {array.dtype} werden nicht unterstützt.")
    values = array.astype(np.float64)
    if array.dtype.itemsize == 2:
        return np.clip(values, 0, 65535) / 65535.0
    high = values.max()
    if array.dtype.itemsize == 1 or high <= 255:
        return np.clip(values, 0, 255) / 255.0
    if high <= 65535:
        return np.clip(values, 0, 65535) / 65535.0
    low = values.min()
    return (values - low) / (high - low)


def _composite_on_white(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return rgb * alpha + (1.0 - alpha)
