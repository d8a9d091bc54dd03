"""The result side of the app: Before / After, the previews while a picture forms, the poster, the history.

`ResultPanel(app)` shows the photo and its edit side by side (After shows a preview every few steps,
titled with its step), keeps the last `HISTORY_LIMIT` results as thumbnails (each can become the next
input or a poster), and makes the poster. The poster is offered as a download link with the PNG inline
(`<a download href="data:...">`: no file server needed, so it works in Colab, JupyterLab, the classic
notebook and Voila); on Colab also through `files.download`, and on Kaggle a copy is kept in
/kaggle/working (app/hosted.py).
"""
import base64
import html
import io
import warnings
from functools import partial

import ipywidgets as widgets
from PIL import Image

from ..errors import UserError
from ..outputs.metadata import save_png
from ..outputs.poster import make_poster
from .common import EMPTY_PICTURE, png_bytes
from .hosted import colab_download, keep_output, on_colab

__all__ = ["ResultPanel", "PREVIEW_SIZE", "download_link"]

PREVIEW_SIZE = 512      # longest side of the before/after previews sent to the browser
THUMB_SIZE = 112        # history thumbnails
HISTORY_LIMIT = 12      # oldest results are dropped beyond this, to keep the page light
AFTER = "编辑后 After"


def title_html(text, color="inherit"):
    return f"<div style='text-align:center;font-weight:600;color:{color}'>{html.escape(text)}</div>"


def download_link(data: bytes, name: str, label: str) -> str:
    """An <a download> link carrying `data` (a PNG) inline: it needs no file server."""
    inline = base64.b64encode(data).decode("ascii")
    return (f"<a download='{html.escape(name)}' href='data:image/png;base64,{inline}' class='ip2p-download' "
            f"style='font-size:16px;font-weight:600'>{html.escape(label)}</a>")


def _picture_layout():
    return widgets.Layout(width="100%", max_height="420px", object_fit="contain")


def _card(title, image):
    label = title if isinstance(title, widgets.Widget) else widgets.HTML(title_html(title))
    return widgets.VBox([label, image], layout=widgets.Layout(width="50%", padding="0 4px", align_items="center"))


class ResultPanel:
    """Before / After, the poster and the history of an `App`; see the module docstring."""

    def __init__(self, app):
        self.app = app
        self.results = []               # history of EditResults, oldest first
        self.before = widgets.Image(value=EMPTY_PICTURE, format="png", layout=_picture_layout())
        self.after = widgets.Image(value=EMPTY_PICTURE, format="png", layout=_picture_layout())
        self.after.add_class("ip2p-after")                      # for the browser test
        self.after_title = widgets.HTML(title_html(AFTER))     # says "preview, step k/n" while the picture forms
        self.preview_step = 0                                   # step of the preview shown in After (0: none)
        self.previews_shown = 0                                 # previews shown so far, for tests
        self.download = widgets.HTML("")
        self.colab_button = widgets.Button(description="用 Colab 下载 Download (Colab)", icon="download",
                                           layout=widgets.Layout(display="none", width="auto"))
        self.poster_image = widgets.Image(format="png", layout=widgets.Layout(max_width="560px", display="none"))
        self.poster_path = None         # the last poster written
        self.history = widgets.HBox([], layout=widgets.Layout(overflow_x="auto", min_height="40px"))
        self.pictures = widgets.VBox([widgets.HBox([_card("原图 Before", self.before), _card(self.after_title, self.after)]),
                                      widgets.HBox([self.download, self.colab_button]), self.poster_image],
                                     layout=widgets.Layout(flex="2 1 480px"))
        self.history_box = widgets.VBox([widgets.HTML("<b>历史 History</b> <span style='color:#666'>"
                                                      "(点击 “作为输入” 继续编辑 · use a result as the next input)</span>"),
                                         self.history])
        self.colab_button.on_click(self._on_colab_button_click)

    # ------------------------------------------------------------------ pictures
    def show_input(self, image):
        self.before.value = png_bytes(image, PREVIEW_SIZE)
        self.after.value = EMPTY_PICTURE

    def start(self):
        self.preview_step = 0

    def show_preview(self, step, total, image):
        self.after.value = png_bytes(image)
        self.after_title.value = title_html(f"预览 Preview · step {step}/{total}", "#3b4aa8")
        self.preview_step = step
        self.previews_shown += 1

    def mark_stopped(self) -> str:
        """After Stop: the preview stays, titled as such; the words to add to the message ("" without a preview)."""
        if not self.preview_step:
            return ""
        self.after_title.value = title_html(f"预览 Preview · step {self.preview_step} (stopped: not a result)", "#8a5a00")
        return f" After shows the preview at step {self.preview_step}, not a result / 右图只是预览，不是结果."

    def show_result(self, result, workdir) -> str:
        """Show `result` and add it to the history; the note to add to the message (where a full-size picture went)."""
        self.results = (self.results + [result])[-HISTORY_LIMIT:]
        self.before.value = png_bytes(result.original, PREVIEW_SIZE)
        self.after.value = png_bytes(result.image, PREVIEW_SIZE)
        self.after_title.value = title_html(AFTER)
        self.preview_step = 0
        self.history.children = [self._history_item(r) for r in reversed(self.results)]
        if getattr(result, "mask_box", None) is not None or getattr(result, "region", None) is not None:
            workdir.mkdir(parents=True, exist_ok=True)   # a full-size photo: too big for the page, so on disk
            return f"Full size saved as {save_png(result.image, workdir / 'edited.png', result)} / 原尺寸结果已保存."
        return ""

    def _history_item(self, result):
        thumb = widgets.Image(value=png_bytes(result.image, THUMB_SIZE), format="png")
        use = widgets.Button(description="作为输入 use as input", layout=widgets.Layout(width="150px"))
        poster = widgets.Button(description="海报 poster", layout=widgets.Layout(width="150px"))
        use.on_click(partial(self._on_history_use_click, result))
        poster.on_click(partial(self._on_history_poster_click, result))
        caption = widgets.HTML(f"<div style='font-size:11px;color:#555;max-width:150px;overflow:hidden;white-space:nowrap;"
                               f"text-overflow:ellipsis'>seed {result.seed} · {html.escape(result.prompt)}</div>")
        return widgets.VBox([thumb, caption, use, poster], layout=widgets.Layout(margin="0 8px 0 0", align_items="center"))

    # ------------------------------------------------------------------ handlers
    def _on_history_use_click(self, result, _button):
        self.app.guard(self.app.set_input, result.image, f"Result (seed {result.seed}) is the new input")

    def _on_history_poster_click(self, result, _button):
        self.app.guard(self.poster, result)

    def _on_colab_button_click(self, _button):
        if self.poster_path is not None:
            self.app.guard(colab_download, self.poster_path)

    # ------------------------------------------------------------------ the poster
    def poster(self, result):
        """Write poster.png for `result` into the app's folder, show it, and offer it as a download."""
        if result is None:
            raise UserError("Edit a photo first; the poster shows the before and after / 请先编辑一张照片.")
        workdir = self.app.workdir
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            workdir.mkdir(parents=True, exist_ok=True)
            path = make_poster(result, workdir / "poster.png")
        data = path.read_bytes()
        kept = keep_output(path)          # Kaggle keeps only /kaggle/working
        shown = kept or path
        self.poster_path = path
        self.download.value = (download_link(data, "poster.png", "⬇ 下载海报 Download poster.png")
                               + f" <span style='color:#666'>(saved as {html.escape(str(shown))})</span>")
        self.colab_button.layout.display = None if on_colab() else "none"
        with Image.open(io.BytesIO(data)) as picture:
            self.poster_image.value = png_bytes(picture.convert("RGB"), 640)
        self.poster_image.layout.display = None
        if kept is not None:
            print(f"poster: {kept}")      # Kaggle: the path, also in the cell's output
        extra = " ".join(str(w.message) for w in caught if issubclass(w.category, UserWarning))
        self.app.show_message(f"Poster saved: {shown} ({len(data) // 1024} KB). {extra}".strip())
        return path
