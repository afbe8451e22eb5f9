"""The command line (`ierun ...`): commands, inputs, the runner and its workers, writers, evaluation."""
from .commands import main

__all__ = ["main"]
