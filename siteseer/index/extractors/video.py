"""Video files → one unit named after the file, so a video without subtitles is findable."""

from __future__ import annotations

from .base import Extracted, Unit
from .textutil import readable_name

VIDEO_EXTENSIONS = (".mp4", ".webm", ".mkv", ".mov", ".ogv", ".m4v")


def extract_video(name: str) -> Extracted:
    """The content is never read: only the name says what the video is about."""
    title = readable_name(name)
    return Extracted("video", title, [Unit(title=title, text=title)])
