"""Builds the bundled demo: outlets' pages, feeds and sitemaps made from the seed texts.

Standard library only, and deterministic: the same inputs always give byte-identical files.
``build_demo.py`` beside this package is the command; :func:`build_site` is the whole job.
"""

from builder.site import build_site

__all__ = ["build_site"]
