"""Starting the app: load the model with a visible download, or fall back to `demo` with a banner.

`load_app_editor(model)` shows a download bar (MB done, MB/s, time left, fed by huggingface_hub's
progress hook through `load_editor(download_progress=...)`) and the hub's one-line announcements
while a first download runs. When the model cannot be loaded (no hub reachable, no disk space,
an unknown id), it loads the bundled `demo` model instead and returns the reason, which `App`
shows as a banner: why, what the demo can do, and the one thing to do to get the real model.
The command line never does this: it keeps its one-sentence error. Before loading, the memory
guard (ip2p_nb/models/memory.py) refuses in one sentence when one more copy would not fit, naming the
copies other kernels hold. With `app --shared` nothing is loaded here: the page gets a
`SharedEditor` on the one worker's model.
"""
import html
import time

import ipywidgets as widgets

from ..defaults import default_model
from ..errors import UserError
from ..models.memory import check_memory, register_loaded
from ..models.catalogue import resolve_model
from .common import download_status
from .shared import SharedEditor, shared_address

__all__ = ["DownloadBar", "load_app_editor", "load_with_bar", "fallback_banner", "scene_samples"]


class DownloadBar:
    """A widget progress bar for a model download; hidden until the first announcement or byte."""

    def __init__(self):
        self.title = widgets.HTML("")
        self.bar = widgets.IntProgress(value=0, min=0, max=1, bar_style="info", layout=widgets.Layout(width="50%"))
        self.status = widgets.Label("")
        self.widget = widgets.VBox([self.title, widgets.HBox([self.bar, self.status])],
                                   layout=widgets.Layout(display="none"))
        self.lines = []
        self.start = None

    def notify(self, text: str) -> None:
        self.lines.append(text)
        self.title.value = "<br>".join(html.escape(line) for line in self.lines)
        self.widget.layout.display = None

    def progress(self, done: int, total: int) -> None:
        if self.start is None:
            self.start = time.monotonic()
            self.widget.layout.display = None
        self.bar.max, self.bar.value = max(1, total), min(done, total)
        self.status.value = "下载模型 downloading: " + download_status(done, total, time.monotonic() - self.start)
        if done >= total:
            self.bar.bar_style = "success"


def fallback_banner(reason: str) -> str:
    """The banner's HTML: why the demo runs, what it can do, and the one thing to do for the real model."""
    return (
        "<div style='border:2px solid #d9a400;background:#fff8e1;padding:8px 12px;margin:0 0 8px 0;border-radius:6px'>"
        "<b>演示模式 Demo mode:</b> 真实模型没有加载，应用正在使用内置的小演示模型 <code>demo</code>。"
        " The real model could not be loaded, so the app runs on the built-in <code>demo</code> model.<br>"
        f"<b>原因 Why:</b> {html.escape(reason)}<br>"
        "<b>演示模型能做什么 What the demo can do:</b> it edits only its own 64-px cartoon scenes (sky, sun or moon, "
        "a house, a tree, an animal). The sample menu now lists generated scenes: pick one and try "
        "“add snow”, “make it sunset” or “add a dog” (中文也可以：“加上雪”). "
        "On photos its pictures mean nothing.<br>"
        f"<b>获取真实模型 To get the real model:</b> {_one_thing(reason)}</div>"
    )


def _one_thing(reason: str) -> str:
    """The one step that gets the real model, for the reason it did not load."""
    if "disk space" in reason:
        return "free the disk space named above (or set <code>HF_HOME</code> to a larger disk), then restart the app."
    if "resume where it stopped" in reason:
        return "restart the app when the network is back: the download resumes where it stopped."
    if "Not enough free" in reason:
        return ("close the other notebooks or pages that hold a model, or serve the app with "
                "<code>python -m ip2p_nb app --shared</code> so that every page uses one copy.")
    if "There is no model" in reason or "is gated" in reason:
        return "set <code>MODEL</code> (or <code>IP2P_MODEL</code>) to a model that exists, such as timbrooks/instruct-pix2pix."
    return ("make a model hub reachable, for example <code>export HF_ENDPOINT=https://hf-mirror.com</code>, then restart "
            "the app: the model downloads once (several GB, with a progress bar) and is cached.")


def load_app_editor(model: str | None = None, display=True):
    """(editor, reason or None): `model` with a visible download, or `demo` and the reason it could not load."""
    bar = DownloadBar()
    if display:
        from IPython.display import display as show  # noqa: PLC0415

        show(bar.widget)
    if shared_address() is not None:         # `app --shared`: the worker holds the one copy of the model
        editor = SharedEditor()
        return editor, editor.fallback
    name = model or default_model()
    try:
        editor = load_with_bar(name, bar)
    except UserError as e:
        if name == "demo":
            raise
        from ..editing.load import load_editor  # noqa: PLC0415  (torch: not in a room's pages)

        editor, reason = load_editor("demo"), str(e)
        register_loaded("demo", str(editor.pipe.device))
        return editor, reason
    return editor, None


def load_with_bar(name: str, bar: DownloadBar):
    """The editor for `name`, its download shown on `bar`; the memory guard first; a UserError when it cannot load.

    What `load_app_editor` and the app's model menu (app/picker.py) both use."""
    from ..editing.load import load_editor  # noqa: PLC0415  (torch: a room's pages never load a model)
    from ..models.loading import pick_device_dtype  # noqa: PLC0415

    resolve_model(name)                        # an unknown name, or a gated model with no login: its sentence first
    device, _ = pick_device_dtype(model=name)
    others = check_memory(name, str(device))   # one sentence now rather than out of memory mid-edit
    if others:
        bar.notify(f"Note: {len(others)} other cop{'ies' if len(others) > 1 else 'y'} of a model {'are' if len(others) > 1 else 'is'} "
                   "already loaded on this machine (other notebooks or pages); `app --shared` shares one.")
    editor = load_editor(name, download_progress=bar.progress, notify=bar.notify)
    register_loaded(name, str(editor.pipe.device))
    return editor


def scene_samples(count: int = 6) -> dict:
    """{label: PIL image} of generated daytime cartoon scenes, the pictures the `demo` model knows (64 px)."""
    import random  # noqa: PLC0415

    from ..train.scenes import caption, random_scene, render  # noqa: PLC0415

    found, seed = {}, 0
    while len(found) < count:
        scene = random_scene(random.Random(seed))
        seed += 1
        if scene.time == "day":   # so that "make it sunset" or "add snow" has something to change
            found[f"场景 scene {len(found) + 1}: {caption(scene)}"] = render(scene, 64)[0]
    return found
