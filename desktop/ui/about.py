"""The app icon and the About box: versions, the llama.cpp backend in use, folders, licences."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.resources import resource

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# The parts a frozen app bundles, with the licence each is used under.
LICENCES = (
    ("Qt 6", "LGPL-3.0", "https://www.qt.io/licensing/open-source-lgpl-obligations"),
    ("PySide6 / Shiboken6", "LGPL-3.0", "https://wiki.qt.io/Qt_for_Python"),
    ("llama.cpp / ggml", "MIT", "https://github.com/ggml-org/llama.cpp"),
    ("llama-cpp-python", "MIT", "https://github.com/abetlen/llama-cpp-python"),
    ("Python", "PSF-2.0", "https://docs.python.org/3/license.html"),
    ("NumPy", "BSD-3-Clause", "https://numpy.org/doc/stable/license.html"),
    ("huggingface_hub", "Apache-2.0", "https://github.com/huggingface/huggingface_hub"),
    ("Jinja2, MarkupSafe", "BSD-3-Clause", "https://palletsprojects.com"),
    ("markdown-it-py", "MIT", "https://github.com/executablebooks/markdown-it-py"),
    ("Pygments", "BSD-2-Clause", "https://pygments.org"),
    ("platformdirs", "MIT", "https://github.com/tox-dev/platformdirs"),
)


def app_icon() -> QIcon:
    """Tandem's icon from its PNG sizes (no SVG plugin needed)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = resource("icons", f"tandem-{size}.png")
        if path.is_file():
            icon.addFile(str(path))
    return icon


def about_html() -> str:
    """The About box's text; llama.cpp's backends are loaded (no model) to name them."""
    from desktop.build_info import build_info, tandem_version
    from desktop.engine.errors import TandemError
    from desktop.models.paths import data_dir, models_dir

    try:
        lines = build_info().lines()[1:]
    except TandemError as e:
        lines = [f"llama.cpp backend: {e}"]
    facts = "".join(f"{escape(line)}<br>" for line in lines)
    licences = "".join(
        f'<tr><td><a href="{url}">{escape(name)}</a></td><td>&nbsp;&nbsp;{escape(spdx)}</td></tr>'
        for name, spdx, url in LICENCES
    )
    return (
        f"<h3>Tandem {escape(tandem_version())}</h3>"
        "<p>Speculative decoding you can watch: a small draft model writes ahead, "
        "a larger verifier checks it.</p>"
        f"<p>{facts}</p>"
        f"<p>Models: {escape(str(models_dir()))}<br>Data: {escape(str(data_dir()))}</p>"
        "<p>Tandem is MIT-licensed. It bundles:</p>"
        f"<table cellspacing='4'>{licences}</table>"
    )


def show_about(parent: QWidget) -> QMessageBox:
    """Open the About box (non-modal) and return it."""
    box = QMessageBox(parent)
    box.setWindowTitle("About Tandem")
    box.setIconPixmap(app_icon().pixmap(96, 96))
    box.setText(about_html())
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setObjectName("about")
    box.open()
    return box
