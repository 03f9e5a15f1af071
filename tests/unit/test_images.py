"""The shared image loader: every odd input becomes RGB uint8 or a readable refusal."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.images import MAX_PIXELS, ImageInputError, load_image
from lab import EXAMPLE_IMAGES_DIR
from tabs.common.examples import ExampleImages


def _save(image: Image.Image, path, **options) -> str:
    image.save(path, **options)
    return str(path)


def test_rgb_png_round_trips(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    result = load_image(_save(Image.fromarray(pixels), tmp_path / "a.png"))
    assert result.dtype == np.uint8 and result.shape == (20, 30, 3)
    np.testing.assert_array_equal(result, pixels)


def test_rgba_is_composited_on_white(tmp_path):
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[..., 0] = 255  # red
    rgba[:2, :, 3] = 0  # top half fully transparent
    rgba[2:, :, 3] = 255
    result = load_image(_save(Image.fromarray(rgba, "RGBA"), tmp_path / "t.png"))
    np.testing.assert_array_equal(result[0, 0], [255, 255, 255])
    np.testing.assert_array_equal(result[3, 0], [255, 0, 0])


def test_grayscale_and_palette(tmp_path):
    gray = Image.fromarray(np.full((5, 6), 100, dtype=np.uint8), "L")
    assert load_image(gray)[0, 0].tolist() == [100, 100, 100]
    palette = Image.fromarray(np.full((5, 6, 3), (10, 200, 30), dtype=np.uint8)).convert("P")
    result = load_image(_save(palette, tmp_path / "p.png"))
    assert result.shape == (5, 6, 3)
    assert abs(int(result[0, 0, 1]) - 200) <= 8


def test_palette_with_transparency_goes_white(tmp_path):
    image = Image.new("P", (4, 4), 0)
    image.putpalette([0, 0, 0] * 256)
    image.info["transparency"] = 0
    result = load_image(_save(image, tmp_path / "pt.png", transparency=0))
    np.testing.assert_array_equal(result[0, 0], [255, 255, 255])


def test_cmyk_jpeg(tmp_path):
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # pure red in CMYK
    result = load_image(_save(cmyk, tmp_path / "c.jpg"))
    assert result.shape == (8, 8, 3)
    assert result[4, 4, 0] > 200 and result[4, 4, 1] < 60


def test_sixteen_bit_is_scaled_not_clipped(tmp_path):
    values = np.array([[0, 32768, 65535]], dtype=np.uint16)
    path = _save(Image.fromarray(values), tmp_path / "deep.png")
    result = load_image(path)
    assert result[0, :, 0].tolist() == [0, 128, 255]
    # A dark 16-bit image stays dark instead of saturating to white.
    dark = np.full((2, 2), 200, dtype=np.uint16)
    assert load_image(dark)[0, 0, 0] == 1


def test_exif_orientation_is_applied(tmp_path):
    wide = Image.new("RGB", (40, 10), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    result = load_image(_save(wide, tmp_path / "r.jpg", exif=exif))
    assert result.shape == (40, 10, 3)


def test_animated_gif_gives_first_frame(tmp_path):
    frames = [Image.new("RGB", (6, 6), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50, loop=0)
    result = load_image(str(path))
    assert result[0, 0, 0] > 200 and result[0, 0, 1] < 50


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"this is certainly not an image", "not an image"),
])
def test_non_images_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageInputError, match=message):
        load_image(path)


def test_truncated_file_is_refused(tmp_path):
    buffer = io.BytesIO()
    noise = np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(buffer, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ImageInputError, match="damaged or truncated"):
        load_image(path)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    # A tiny PNG file that declares 10000×10000 pixels.
    path = _save(Image.new("1", (10_000, 10_000)), tmp_path / "bomb.png", optimize=True)
    assert (tmp_path / "bomb.png").stat().st_size < 100_000
    with pytest.raises(ImageInputError, match="megapixels"):
        load_image(path, max_pixels=MAX_PIXELS // 4)


def test_missing_file_and_wrong_type():
    with pytest.raises(ImageInputError, match="does not exist"):
        load_image("/no/such/picture.png")
    with pytest.raises(ImageInputError, match="Expected an image"):
        load_image(12345)  # type: ignore[arg-type]


def test_arrays_of_other_dtypes_and_shapes():
    assert load_image(np.ones((3, 3), dtype=np.float32))[0, 0].tolist() == [255, 255, 255]
    assert load_image(np.ones((3, 3, 1), dtype=bool)).shape == (3, 3, 3)
    with pytest.raises(ImageInputError, match="shape"):
        load_image(np.zeros((3, 3, 5), dtype=np.uint8))


def test_caller_array_is_not_mutated():
    original = np.random.default_rng(2).integers(0, 256, (8, 8, 4), dtype=np.uint8)
    copy = original.copy()
    result = load_image(original)
    np.testing.assert_array_equal(original, copy)
    assert not np.shares_memory(result, original)


def test_an_upload_too_small_to_explain_is_refused_with_its_size(tmp_path):
    examples = ExampleImages(EXAMPLE_IMAGES_DIR)
    for size in ((1, 1), (20_000, 3), (31, 64)):
        path = _save(Image.new("RGB", size, (200, 30, 30)), tmp_path / "small.png")
        with pytest.raises(ImageInputError) as refused:
            examples.resolve("coffee.png", str(path))
        assert f"{size[0]}×{size[1]} pixels" in str(refused.value)
        assert "at least 32" in str(refused.value) and "mindestens 32" in \
            refused.value.in_language("de")
    cifar = _save(Image.new("RGB", (32, 32)), tmp_path / "cifar.png")
    assert examples.resolve("coffee.png", str(cifar)).shape == (32, 32, 3)
