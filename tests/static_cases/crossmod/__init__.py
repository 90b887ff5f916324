"""Names resolved across modules: a re-exported decorator, a base class and types from siblings."""

from .base import ImportJob
from .tools import job

__all__ = ["ImportJob", "job"]
