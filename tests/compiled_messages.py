"""Compile the translations before tests that read Chinese off a page.

``*.mo`` files are git-ignored and built by ``make``; a plain ``pytest`` run on a fresh
checkout (or after someone edited a ``.po``) would otherwise show English msgids.
"""

import contextlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command


def stale_catalogs() -> list[Path]:
    stale = []
    for locale_dir in map(Path, settings.LOCALE_PATHS):
        for po in locale_dir.glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


def compile_messages_if_stale() -> None:
    if not stale_catalogs():
        return
    with contextlib.chdir(settings.BASE_DIR):
        call_command("compilemessages", ignore_patterns=[".venv", "static"], verbosity=0)
    # Catalogs already loaded in this process would keep the old strings.
    from asgiref.local import Local
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()
    trans_real.translation_catalog_exists.cache_clear()
