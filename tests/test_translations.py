"""French and Dutch stay complete: extracting the messages of the current code into a copy of the catalogues
must leave no untranslated or fuzzy entry in either language."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Every directory of the project with Python code or templates (every app, whatever its name), and manage.py.
SOURCES = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
                 and p.name not in {"tests", "static", "staticfiles", "locale", "benchmarks", "private_media",
                                    "test-artifacts", "__pycache__"}) + ["manage.py"]


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is not installed (apt-get install gettext)")
def test_french_and_dutch_catalogues_are_complete(tmp_path):
    for name in SOURCES:
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "nl", "--no-location",
                    "--symlinks", "-v0"], cwd=tmp_path, env=env, check=True)
    problems = []
    for language in ("fr", "nl"):
        po = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        stats = subprocess.run(["msgfmt", "--statistics", "-o", os.devnull, str(po)], capture_output=True,
                               text=True, env={**env, "LC_ALL": "C"})
        if "untranslated" in stats.stderr or "fuzzy" in stats.stderr:
            problems.append(f"{language}: {stats.stderr.strip()}\n{_incomplete(po)}")
    assert not problems, "run `make messages` and translate:\n" + "\n".join(problems)


def _incomplete(po):
    untranslated = subprocess.run(["msgattrib", "--untranslated", "--no-wrap", str(po)], capture_output=True,
                                  text=True).stdout
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", "--no-wrap", str(po)], capture_output=True, text=True).stdout
    ids = [line for line in (untranslated + fuzzy).splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    return "\n".join(ids[:40])
