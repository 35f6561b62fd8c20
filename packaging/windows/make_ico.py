"""Write resources/icons/tandem.ico (16-256 px) from the PNG sizes, for the .exe and installer.

Qt writes one image per .ico file, so the multi-size file is assembled here: an ICONDIR header,
one entry per size, then the PNGs themselves (PNG-in-ICO, read by Windows Vista and later).
"""

from __future__ import annotations

import struct
from pathlib import Path

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def main() -> None:
    images = [(size, (ICONS / f"tandem-{size}.png").read_bytes()) for size in SIZES]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, data = b"", b""
    for size, png in images:
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    (ICONS / "tandem.ico").write_bytes(header + entries + data)


if __name__ == "__main__":
    main()
