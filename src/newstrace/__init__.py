"""newstrace: trace every claim in the news back to its origins."""

__version__ = "0.1.0"
