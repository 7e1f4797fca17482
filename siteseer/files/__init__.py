"""The folder's own files: path resolution, the file server, compression, listings."""

from siteseer.files.compress import CompressionCache, compress_body, wants_vary
from siteseer.files.resolve import resolve_path
from siteseer.files.static import FileServer

__all__ = ["CompressionCache", "FileServer", "compress_body", "resolve_path", "wants_vary"]
