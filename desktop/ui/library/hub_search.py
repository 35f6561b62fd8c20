"""The library's Download page: search Hugging Face, pick a repo, pick a quantization, download.

Nothing here touches the network until the user presses Search (or picks a repo or a file);
each request runs off the GUI thread and an error is one line under the search box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.models import hub
from desktop.models.hub import HubFile, HubModel, RemoteFile
from desktop.ui.library.rows import megabytes
from desktop.ui.library.tasks import TaskDone, Tasks

DATA = Qt.ItemDataRole.UserRole
PRIVACY = "Tandem contacts Hugging Face only when you search or download."


class HubSearch(QWidget):
    """Search box, repos, files; `download_requested` carries the file pinned to its commit."""

    download_requested = Signal(object)  # RemoteFile

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = Tasks("hub", self)
        self._tasks.done.connect(self._on_done)
        self._asked = {"search": 0, "files": 0}  # the latest request of each kind; older answers are dropped
        self.query = QLineEdit()
        self.query.setPlaceholderText("Search Hugging Face for GGUF models, e.g. qwen coder")
        self.query.setAccessibleName("Search Hugging Face")
        self.query.setClearButtonEnabled(True)
        self.search = QPushButton("Search")
        self.status = QLabel(PRIVACY)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.repos = QTreeWidget()
        self.repos.setHeaderLabels(["Model", "Downloads", "Likes"])
        self.repos.setRootIsDecorated(False)
        self.repos.setAccessibleName("Models on Hugging Face")
        self.repos.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.repos.header().setStretchLastSection(False)
        self.files = QTreeWidget()
        self.files.setHeaderLabels(["File", "Quantization", "Size"])
        self.files.setRootIsDecorated(False)
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.files.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files.header().setStretchLastSection(False)
        self.download = QPushButton("Download")
        self.download.setObjectName("primary")
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.search)
        split = QSplitter()
        split.addWidget(self.repos)
        split.addWidget(self.files)
        split.setSizes([300, 500])
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.download)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self.query.returnPressed.connect(self._search)
        self.search.clicked.connect(self._search)
        self.repos.currentItemChanged.connect(self._repo_chosen)
        self.files.itemSelectionChanged.connect(self._file_chosen)
        self.download.clicked.connect(self._download)
        self._file_chosen()

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setObjectName("" if error else "muted")
        self.status.setStyleSheet("color: #d1453b;" if error else "")
        self.status.setText(("✗ " if error else "") + text)

    @Slot()
    def _search(self) -> None:
        text = self.query.text().strip()
        if not text:
            return
        self._asked["search"] += 1
        self._say(f"Searching Hugging Face for “{text}”…")
        self._tasks.run(f"search:{self._asked['search']}:{text}", lambda: hub.search_models(text, 30))

    @Slot(object, object)
    def _repo_chosen(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        self.files.clear()
        model = item.data(0, DATA) if item is not None else None
        if not isinstance(model, HubModel):
            return
        self._asked["files"] += 1
        self._say(f"Listing the GGUF files of {model.repo}…")
        self._tasks.run(f"files:{self._asked['files']}:{model.repo}", lambda: hub.list_gguf_files(model.repo))

    def chosen_file(self) -> HubFile | None:
        items = self.files.selectedItems()
        value = items[0].data(0, DATA) if items else None
        return value if isinstance(value, HubFile) else None

    @Slot()
    def _file_chosen(self) -> None:
        f = self.chosen_file()
        self.download.setEnabled(f is not None and not f.split)
        if f is not None and f.split:
            self.download.setToolTip("Part of a GGUF split across files: Tandem downloads single-file GGUFs")
        else:
            self.download.setToolTip("")

    @Slot()
    def _download(self) -> None:
        f = self.chosen_file()
        if f is None or f.split:
            return
        self._say(f"Asking Hugging Face for {f.path}…")
        self._tasks.run("resolve", lambda: hub.file_info(f.repo, f.path))

    @Slot(object)
    def _on_done(self, done: TaskDone) -> None:
        kind, _, rest = done.tag.partition(":")
        number, _, subject = rest.partition(":")
        if kind in self._asked and int(number) != self._asked[kind]:
            return  # the user asked again meanwhile
        if done.error is not None:
            self._say(done.error, error=True)
        elif kind == "search":
            self._show_repos(subject, done.value)  # type: ignore[arg-type]
        elif kind == "files":
            self._show_files(subject, done.value)  # type: ignore[arg-type]
        elif isinstance(done.value, RemoteFile):
            self._say(f"{done.value.path} is queued below.")
            self.download_requested.emit(done.value)

    def _show_repos(self, query: str, found: tuple[HubModel, ...]) -> None:
        self.repos.clear()
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for m in found:
            gated = "  (gated: accept its licence on Hugging Face first)" if m.gated else ""
            item = QTreeWidgetItem(self.repos, [m.repo + gated, f"{m.downloads:,}", f"{m.likes:,}"])
            item.setData(0, DATA, m)
            item.setToolTip(0, m.repo + gated)
            for column in (1, 2):
                item.setTextAlignment(column, right)
        for column in (1, 2):
            self.repos.resizeColumnToContents(column)
        self._say(f"{len(found)} GGUF models match “{query}”; pick one to see its files." if found else
                  f"No GGUF models on Hugging Face match “{query}”.")  # fmt: skip

    def _show_files(self, repo: str, files: tuple[HubFile, ...]) -> None:
        self.files.clear()
        for f in files:
            note = "  (split: not downloadable)" if f.split else ""
            item = QTreeWidgetItem(self.files, [f.path + note, f.quant or "?", megabytes(f.size)])
            item.setData(0, DATA, f)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for column in (1, 2):
            self.files.resizeColumnToContents(column)
        self._say(f"{repo}: {len(files)} GGUF files. Q4_K_M is the usual balance of size and quality."
                  if files else f"{repo} has no GGUF files.")  # fmt: skip

    def close_tasks(self, wait: bool = True) -> None:
        """Stop the Hub requests (with `wait`, wait for one in flight)."""
        self._tasks.close(wait)
