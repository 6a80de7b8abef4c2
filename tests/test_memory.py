"""A server process freezes what it loaded (core.memory), so that the
collector's full collections walk only what requests made."""

import gc
import os
import subprocess
import sys
from pathlib import Path

from core.memory import YOUNG_THRESHOLD, freeze_loaded_objects

ROOT = Path(__file__).resolve().parent.parent


def _walked(obj) -> bool:
    """Whether the collector's generations hold `obj` (frozen ones are not
    in them)."""
    return any(tracked is obj for tracked in gc.get_objects())


def test_freezing_freezes_what_is_loaded_and_nothing_made_after():
    # Identity in the generations rather than counts: another thread's
    # objects freed meanwhile change the frozen count.
    loaded = [[]]
    try:
        assert freeze_loaded_objects() > 1000
        made = [[]]
        assert gc.is_tracked(made) and _walked(made)
        assert not _walked(loaded)
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
    assert _walked(loaded)


def test_the_wsgi_application_is_loaded_with_its_views_and_frozen():
    # A fresh process: django.setup() alone imports neither the URLconf nor
    # the view modules it names (catalog.feeds among them).
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    script = (
        "import gc, sys, config.wsgi; "
        "print('catalog.feeds' in sys.modules, gc.get_freeze_count(), *gc.get_threshold())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    loaded, frozen, *thresholds = result.stdout.split()
    assert loaded == "True"
    assert int(frozen) > 1000
    # Young collections spaced, the older generations' thresholds CPython's.
    assert [int(n) for n in thresholds] == [YOUNG_THRESHOLD, *gc.get_threshold()[1:]]
