"""The models on this machine as the window sees them, rescanned off the GUI thread.

Tandem's own folder, other apps' folders and the folders the user added (kept in the settings)
are searched; the library page and the model-pair dialog both read the latest scan.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop.models.discover import default_locations
from desktop.models.library import Library, scan_library
from desktop.models.paths import gguf_info_cache
from desktop.ui.library.tasks import TaskDone, Tasks
from desktop.ui.settings import Settings


def scan(folders: tuple[Path, ...]) -> Library:
    """Find and describe every model on this machine plus `folders` (header reads are cached)."""
    return scan_library(default_locations(folders=folders), gguf_info_cache())


class ModelLibrary(QObject):
    """The latest scan (`library`, None before the first) and the user's folders.

    `changed` carries each new Library; `failed` one line when a scan could not finish.
    """

    changed = Signal(object)  # Library
    failed = Signal(str)

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.library: Library | None = None
        self._pending = 0  # scans queued or running
        self._folders = settings.model_folders()
        self._tasks = Tasks("library-scan", self)
        self._tasks.done.connect(self._on_done)

    def folders(self) -> tuple[Path, ...]:
        """The folders the user added, in the order added."""
        return self._folders

    def add_folder(self, folder: Path) -> None:
        """Search `folder` from now on (saved in the settings) and rescan."""
        if folder not in self._folders:
            self._set_folders((*self._folders, folder))

    def remove_folder(self, folder: Path) -> None:
        """Stop searching `folder` and rescan; its files are left alone."""
        self._set_folders(tuple(f for f in self._folders if f != folder))

    def _set_folders(self, folders: tuple[Path, ...]) -> None:
        self._folders = folders
        self.settings.save_model_folders(folders)
        self.rescan()

    @property
    def scanning(self) -> bool:
        """Whether a scan is queued or running."""
        return self._pending > 0

    def refresh(self) -> None:
        """Scan again unless a scan is on its way: another app may have added models meanwhile
        (after the first scan, a scan costs a stat per file)."""
        if not self.scanning:
            self.rescan()

    @Slot()
    def rescan(self) -> None:
        """Scan again in the background; `changed` follows."""
        self._pending += 1
        folders = self._folders
        self._tasks.run("scan", lambda: scan(folders))

    @Slot(object)
    def _on_done(self, done: TaskDone) -> None:
        self._pending -= 1
        if done.error is not None:
            self.failed.emit(f"Could not search for models: {done.error}")
        elif isinstance(done.value, Library):
            self.library = done.value
            self.changed.emit(done.value)

    def close(self) -> None:
        """Stop scanning (waits for a scan in progress)."""
        self._tasks.close()
