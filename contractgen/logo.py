"""The brand logo: checked once per campaign and, where needed, made into a small image every
document can embed.

Pillow reads the file's header (format, size, colour mode) without decoding the pixels, so a
decompression bomb (a small file claiming 20,000 × 20,000 pixels) is refused before any memory
is spent on it. A logo that is larger than the header ever shows (:data:`MAX_SIDE`), in a colour
mode the writers do not all take (a CMYK JPEG), or a JPEG python-docx cannot identify (no JFIF
or Exif marker first), is decoded once, converted to RGB and scaled down into a temporary file
that lives as long as the process. The DOCX and the PDF then embed the same image, and a batch
hands its workers the prepared file instead of having each of them decode the original.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from contractgen.errors import Problem, UserError

MAX_PIXELS = 100_000_000  # decoding more than this needs gigabytes; no logo has that many
MAX_BYTES = 64 * 1024 * 1024
MAX_SIDE = 1200  # pixels on the longer side: still ~2,500 dpi at the 12 mm the header draws it
KEEP_BYTES = 2 * 1024 * 1024  # a small logo in a bigger file carries metadata worth dropping
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA"}
_JPEG_MODES = {"L", "RGB"}

_prepared: dict[tuple[str, int, int], str] = {}
_folder: Path | None = None


def prepare_logo(path: Path, spec_file: str | None) -> str:
    """The path of a logo both writers embed as it is: ``path`` itself, or a prepared copy.

    Raises UserError, located at ``brand.logo``, saying why an image cannot be used.
    """
    def refuse(message: str, hint: str | None = None) -> UserError:
        return UserError(Problem(f"the logo {path} {message}", file=spec_file, where="brand.logo", hint=hint))

    try:
        info = path.stat()
    except FileNotFoundError:
        raise refuse("does not exist", "the path is relative to the spec file") from None
    except OSError as exc:
        raise refuse(f"cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise refuse("is not a regular file", "give the path of an image file saved on disk")
    if info.st_size > MAX_BYTES:
        raise refuse(f"is {info.st_size:,} bytes; a logo may be at most {MAX_BYTES:,}",
                     f"save it at most {MAX_SIDE} pixels wide")
    key = (str(path), info.st_mtime_ns, info.st_size)
    if key not in _prepared:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise refuse(f"cannot be read: {exc.strerror}") from None
        _prepared[key] = _prepare(path, data, refuse)
    return _prepared[key]


def _prepare(path: Path, data: bytes, refuse: Callable[..., UserError]) -> str:
    """Check the image in ``data``; return ``path``, or the path of a prepared copy."""
    import io

    from PIL import Image, JpegImagePlugin, PngImagePlugin

    if data.startswith(_PNG):
        kind, opener = "PNG", PngImagePlugin.PngImageFile
    elif data.startswith(_JPEG):
        kind, opener = "JPEG", JpegImagePlugin.JpegImageFile
    else:
        raise refuse("is not a PNG or JPEG image (its content is neither, whatever its name)",
                     "export the logo as PNG")
    try:
        # The plugin reads only the header: no pixels are decoded, and no size limit applies yet.
        image = opener(io.BytesIO(data))
    except Exception as exc:  # Pillow raises several types for a broken header
        raise refuse(f"is not a readable {kind} image: {_reason(exc)}", "export the logo again") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise refuse(
            f"is {width:,} × {height:,} pixels ({width * height / 1e6:,.0f} megapixels); a logo may have at most "
            f"{MAX_PIXELS / 1e6:,.0f} megapixels", f"save it at most {MAX_SIDE} pixels wide")
    fits = max(width, height) <= MAX_SIDE and len(data) <= KEEP_BYTES
    # python-docx identifies a JPEG by a JFIF or Exif marker right after the start.
    usable = image.mode in _PNG_MODES if kind == "PNG" else (
        image.mode in _JPEG_MODES and data[6:10] in (b"JFIF", b"Exif"))
    try:
        if kind == "JPEG" and not fits:
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # libjpeg decodes at 1/2 .. 1/8 scale directly
        image.load()  # a truncated or corrupt file fails here, once, rather than in every document
    except Exception as exc:
        raise refuse(f"cannot be decoded: {_reason(exc)}", "export the logo again") from None
    if fits and usable:
        return str(path)
    if image.mode.startswith("I"):  # a 16-bit grey PNG: converted directly, every grey above 255 turns white
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = image.mode in ("PA", "RGBa", "La") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    opaque_jpeg = kind == "JPEG" and image.mode in ("RGB", "L")
    out = io.BytesIO()
    if opaque_jpeg:
        image.save(out, "JPEG", quality=90)
    else:
        image.save(out, "PNG")
    target = _cache_folder() / f"{hashlib.sha256(data).hexdigest()[:32]}.{'jpg' if opaque_jpeg else 'png'}"
    target.write_bytes(out.getvalue())
    return str(target)


def _reason(exc: Exception) -> str:
    """An exception as words: its message, or its kind when it has none."""
    return str(exc) or type(exc).__name__


def _cache_folder() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="contractgen-logo-"))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder
