"""The reliability tier: bad inputs, damaged files, full disks, kills and signals."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TANDEM_THEME", "light")
