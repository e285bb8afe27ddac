"""Uploaded pictures made fit to serve, knowing no model: checking an upload by its
header before decoding it, storing it again without the metadata cameras write into it
(EXIF with GPS, XMP, comments), and its renditions in WebP and JPEG at given widths,
named by their content. Book covers (catalogue/covers.py) and the pictures library
(images/preparing.py) use them with their own limits, widths and folders."""

import hashlib
import io
import math
import secrets
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image, ImageCms, ImageOps

# Pillow's format name -> the extension a stored picture gets. MPO is how Pillow reads the
# multi-picture JPEGs many phones and cameras write; browsers show them as JPEG.
FORMATS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp"}
ACCEPT = "image/jpeg,image/png,image/webp"  # for a file input's `accept`
SRGB_PROFILE = ImageCms.createProfile("sRGB")
TURNED_SIDEWAYS = (5, 6, 7, 8)  # EXIF orientations that swap width and height
REDUCIBLE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK", "I")


@dataclass(frozen=True)
class Limits:
    """What an upload may be: bytes, pixels, its longest side, and how many times its
    longer side may be its shorter one."""

    max_bytes: int
    max_pixels: int
    max_side: int
    max_aspect: float


@dataclass(frozen=True)
class Rendition:
    """One stored rendition: its size and the storage names of its two files."""

    width: int
    height: int
    jpeg: str
    webp: str


@dataclass(frozen=True)
class CleanPicture:
    """An upload stored again without its metadata: the bytes, their extension, the size."""

    content: bytes
    extension: str
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class NotCleaned(Exception):
    """The worker could not clean an upload; the message says why, in an editor's words."""


# --- Checking an upload, in the request --------------------------------------------------


def hold_upload(storage: Storage, folder: str, upload: File) -> str:
    """Store an upload, read from its start, in `folder` under a random name with the
    extension it came with, to wait there unserved until it is cleaned; the stored name."""
    extension = PurePosixPath(upload.name or "").suffix.lower()
    upload.seek(0)
    return storage.save(f"{folder}/{secrets.token_hex(12)}{extension}", upload)


def validate_upload(file: File, *, limits: Limits) -> str:
    """Check that an upload is a JPEG, PNG or WebP picture within `limits`; return its
    format.

    Size, format and dimensions are read from the header before any pixel data is decoded,
    so a decompression bomb is refused before it can take the memory it claims; the data
    is then checked without ever holding the whole picture (see `_check_image_data`).
    """
    megapixels = f"{limits.max_pixels / 1_000_000:g} megapixels"
    if file.size > limits.max_bytes:
        raise ValidationError(
            f"The file is {filesizeformat(file.size)}; the limit is "
            f"{filesizeformat(limits.max_bytes)}.",
            code="file_too_large",
        )
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit; refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            file.seek(0)
            image = Image.open(file)
            if image.format not in FORMATS:
                raise ValidationError(
                    f"The image is in {image.format} format; upload a JPEG, PNG or WebP image.",
                    code="picture_format",
                )
            _check_dimensions(*image.size, limits=limits)
            image_format = image.format
            _check_image_data(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                f"The image claims to be too large to open safely; the limit is {megapixels}.",
                code="too_many_pixels",
            ) from error
        except ValidationError:
            raise
        except Exception as error:  # Pillow raises many kinds for files it cannot read.
            raise ValidationError(
                "The file is not an image, or it is damaged; upload a JPEG, PNG or WebP image.",
                code="not_an_image",
            ) from error
        finally:
            file.seek(0)
    return image_format


def _check_dimensions(width: int, height: int, *, limits: Limits) -> None:
    shape = f"The image is {width:,} × {height:,} pixels"
    if max(width, height) > limits.max_aspect * min(width, height):
        raise ValidationError(
            f"{shape}; no side may be more than {limits.max_aspect:g} times the other.",
            code="picture_shape",
        )
    if max(width, height) > limits.max_side:
        raise ValidationError(
            f"{shape}; the limit is {limits.max_side:,} pixels on the longest side.",
            code="side_too_long",
        )
    if width * height > limits.max_pixels:
        raise ValidationError(
            f"{shape}; the limit is {limits.max_pixels / 1_000_000:g} megapixels.",
            code="too_many_pixels",
        )


def _check_image_data(image: Image.Image) -> None:
    """Raise if the picture's data is truncated or damaged, without decoding it whole."""
    if image.format in ("JPEG", "MPO"):
        # Decoded at an eighth of each side: every byte is still read, so a truncated file
        # fails here, in 1/64 of the memory of a full decode.
        image.draft(image.mode, (1, 1))
        image.load()
    elif image.format == "PNG":
        # Walks every chunk to IEND checking its checksum, without inflating the pixels.
        image.verify()
    else:
        # libwebp has no reduced decode; the callers' caps bound this to about 100 MB.
        image.load()


# --- Cleaning and sizing, in the worker --------------------------------------------------


def clean_original(content: bytes) -> CleanPicture:
    """The upload re-encoded without what cameras and editors write into a file (EXIF with
    GPS, XMP, comments, a second picture): upright (the EXIF orientation applied), in the
    upload's format (JPEG with its own quantisation, PNG losslessly, WebP at quality 90),
    keeping its colour profile. Decodes the whole picture: for the worker, never a request.
    Raises NotCleaned when the content cannot be read as a picture."""
    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        # Checked in the request, so damaged or replaced in storage since.
        raise NotCleaned(
            "the uploaded file could not be read as an image; it may have been damaged"
        ) from error
    if image.format not in FORMATS:
        raise NotCleaned(f"the uploaded file is in {image.format} format, not JPEG, PNG or WebP")
    image_format = "JPEG" if image.format == "MPO" else image.format
    extension = FORMATS[image.format]
    icc_profile = image.info.get("icc_profile")
    ImageOps.exif_transpose(image, in_place=True)
    # Pillow writes some info (a JPEG comment) back by default: keep only what shows.
    image.info = {key: image.info[key] for key in ("transparency",) if key in image.info}
    save = {"icc_profile": icc_profile} if icc_profile else {}
    if image_format == "JPEG":
        save.update(quality="keep", subsampling="keep")  # no second generation of loss
    elif image_format == "WEBP":
        save.update(quality=90)
    buffer = io.BytesIO()
    image.save(buffer, image_format, **save)
    return CleanPicture(buffer.getvalue(), extension, *image.size)


def make_renditions(
    content: bytes, *, storage: Storage, stem: str, widths: Sequence[int]
) -> dict[str, dict]:
    """Write WebP and JPEG copies of the picture in `content` at each of `widths` no wider
    than it, as `<stem>-<content hash>-<width>.<webp|jpg>`; return them as {"<width>":
    {"webp": name, "jpeg": name, "height": px}}, narrowest first.

    Never upscales: widths beyond the picture's are skipped, and a picture narrower than
    the smallest width gets one rendition at its own width. Renditions are upright, in
    sRGB, 8 bits a channel, with no metadata.
    """
    digest = hashlib.sha256(content).hexdigest()[:10]
    image = Image.open(io.BytesIO(content))
    upright_width, upright_height = _upright_size(image)
    chosen = [width for width in widths if width <= upright_width] or [upright_width]
    # Decoded at no less than twice the widest rendition: enough for a sharp LANCZOS.
    image = _prepared_for_web(image, scale=min(1.0, 2 * max(chosen) / upright_width))
    renditions = {}
    # Largest first, each from the one before: cheaper than resizing the original again.
    for width in sorted(chosen, reverse=True):
        height = max(1, round(upright_height * width / upright_width))
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        name = f"{stem}-{digest}-{width}"
        renditions[str(width)] = {
            "webp": _save_rendition(storage, f"{name}.webp", _encode(image, "WEBP")),
            "jpeg": _save_rendition(storage, f"{name}.jpg", _encode(image, "JPEG")),
            "height": height,
        }
    return dict(sorted(renditions.items(), key=lambda item: int(item[0])))


def files_of(renditions: Mapping[str, dict]) -> set[str]:
    """The storage names of every file of `renditions`."""
    return {
        rendition[kind]
        for rendition in renditions.values()
        for kind in ("webp", "jpeg")
        if rendition.get(kind)
    }


def renditions_in(renditions: Mapping[str, dict]) -> list[Rendition]:
    """Stored renditions ({"<width>": {...}}) as Rendition values, narrowest first."""
    found = [
        Rendition(width=int(width), height=files["height"], jpeg=files["jpeg"], webp=files["webp"])
        for width, files in renditions.items()
    ]
    return sorted(found, key=lambda rendition: rendition.width)


def pick_rendition(renditions: Iterable[Rendition], *, width: int) -> Rendition | None:
    """The rendition to show `width` pixels wide: the narrowest at least that wide, else
    the widest there is; None when there are none."""
    renditions = list(renditions)
    wide_enough = [rendition for rendition in renditions if rendition.width >= width]
    if wide_enough:
        return min(wide_enough, key=lambda rendition: rendition.width)
    return max(renditions, key=lambda rendition: rendition.width, default=None)


def _upright_size(image: Image.Image) -> tuple[int, int]:
    orientation = image.getexif().get(ExifTags.Base.Orientation)
    return image.size[::-1] if orientation in TURNED_SIDEWAYS else image.size


def _prepared_for_web(image: Image.Image, *, scale: float = 1.0) -> Image.Image:
    """Decoded at about `scale` of its size or a little more, upright, in sRGB, 8 bits per
    channel: RGB, or RGBA where the image has transparency.

    Every step that copies the picture comes after the reduction, so a worker holds at
    most one full-size decode (a JPEG not even that: it decodes at 1/2, 1/4 or 1/8).
    """
    target = (max(1, math.ceil(image.width * scale)), max(1, math.ceil(image.height * scale)))
    image.draft(image.mode, target)  # JPEG only; other formats decode whole
    image.load()
    if image.mode.startswith("I;16"):
        # 16-bit grey (PNG), which reduce() refuses: boxed down to the target first, then
        # scaled to 8 bits (rather than clipped to white) on the small copy.
        if image.width > target[0] * 2:
            image = image.resize(target, Image.Resampling.BOX)
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    elif image.mode not in REDUCIBLE_MODES:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    factor = min(image.width // target[0], image.height // target[1])
    if factor >= 2:
        image = image.reduce(factor)
    image = ImageOps.exif_transpose(image)
    if image.mode == "I":
        image = image.point(lambda value: value / 257).convert("L")
    mode = "RGBA" if image.has_transparency_data else "RGB"
    icc_profile = image.info.get("icc_profile")
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        # Print scans come in CMYK or wide-gamut RGB; browsers assume sRGB without a profile.
        try:
            return ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                SRGB_PROFILE,
                outputMode=mode,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # A broken or unusual profile: convert as if there were none.
    return image.convert(mode)


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        if image.mode == "RGBA":
            # JPEG has no transparency: put the picture on white, as a page would show it.
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            background.alpha_composite(image)
            image = background
        image.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        image.save(buffer, "WEBP", quality=80, method=5)
    return buffer.getvalue()


def _save_rendition(storage: Storage, name: str, content: bytes) -> str:
    # The name is derived from the content, so an existing file is an earlier run's copy.
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))
