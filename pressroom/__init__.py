"""Pressroom: a static site generator for organisations' newsrooms."""

__version__ = "0.1.0"
