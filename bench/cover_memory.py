"""Benchmark: a worker's peak memory while a large uploaded cover is checked, stored
without its metadata and made into renditions.

Pillow's pixel buffers are not Python allocations, so tracemalloc cannot see them: the
figure is the process's resident set (Linux VmHWM, reset through /proc/self/clear_refs
before each step), minus what it held before. Run alone: `.venv/bin/python bench/cover_memory.py`.
"""

import io
import re
import time
from pathlib import Path

CASES = [
    ("5,000 × 5,000 JPEG", "cover.jpg", {"mode": "RGB", "format": "JPEG", "quality": 90}),
    ("5,000 × 5,000 16-bit PNG", "cover.png", {"mode": "I;16", "format": "PNG"}),
]


def resident_mb(field: str) -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1)) / 1024


def peak_mb(step) -> tuple[float, float]:
    """Extra resident memory at the peak of `step()`, in MB, and its time in seconds."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current VmRSS
    before = resident_mb("VmRSS")
    started = time.perf_counter()
    step()
    return resident_mb("VmHWM") - before, time.perf_counter() - started


def noisy_image(mode: str):
    """A 5,000 × 5,000 picture with detail, so it compresses like a scan, not a flat fill."""
    from PIL import Image

    tile = Image.effect_noise((100, 100), 60).resize((5000, 5000))
    if mode == "I;16":
        return tile.point(lambda value: value * 257, "I").convert("I;16")
    return Image.merge("RGB", [tile, tile.rotate(90), tile.rotate(180)])


def bench_cover_memory() -> None:
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalogue.covers import make_renditions, store_clean_original, validate_cover_upload
    from catalogue.models import Book

    for label, name, spec in CASES:
        buffer = io.BytesIO()
        save = {key: value for key, value in spec.items() if key not in ("mode", "format")}
        noisy_image(spec["mode"]).save(buffer, spec["format"], **save)
        content = buffer.getvalue()
        upload = SimpleUploadedFile(name, content)
        validated, validate_seconds = peak_mb(lambda upload=upload: validate_cover_upload(upload))
        book = Book.objects.create(title=f"Bench cover {name}", slug=f"bench-cover-{name}")
        book.cover.save(name, ContentFile(content))
        book = Book.objects.get(pk=book.pk)
        cleaned, clean_seconds = peak_mb(lambda book=book: store_clean_original(book))
        rendered, render_seconds = peak_mb(lambda book=book: make_renditions(book))
        print(
            f"Cover {label} ({len(content) / 1_000_000:.1f} MB): peak extra memory "
            f"{validated:.0f} MB validating ({validate_seconds:.2f} s), "
            f"{cleaned:.0f} MB storing without metadata ({clean_seconds:.2f} s), "
            f"{rendered:.0f} MB making renditions ({render_seconds:.2f} s)",
            flush=True,
        )


if __name__ == "__main__":
    import tempfile

    from run import setup_django

    with tempfile.TemporaryDirectory(prefix="colophon-bench-") as tmp:
        setup_django(Path(tmp), f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        bench_cover_memory()
