"""What every settings module shares: the environment reader, the project's folders, and
DJANGO_DEBUG, which decides many defaults (a development run, or production)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
