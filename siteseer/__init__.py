"""siteseer: serve a folder of files as a fast, searchable website."""

__version__ = "0.1.0"
