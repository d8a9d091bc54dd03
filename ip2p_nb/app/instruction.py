"""Panel 2, the instruction: typed in Chinese or English, with the English prompt the model sees.

`InstructionPanel(app)` translates the instruction as it is typed (`translation.translate`, never a
download on the way), shows which translator gave the English and the Chinese words left untranslated,
and lets the user edit the English by hand. The "Neural translator" switch downloads MarianMT once, in a
thread, while the app stays usable. `english_for_edit()` is the prompt an edit sends (None: translate again).
"""
import html
import threading

import ipywidgets as widgets

from ..translation import available_backends, translate
from ..translation.chain import last_error as neural_last_error
from .settings import hint_html

__all__ = ["InstructionPanel", "BACKEND_NAMES"]

WARNING_COLOR = "#8a5a00"
BACKEND_NAMES = {"english": "typed in English", "googletrans": "Google Translate", "marian": "local MarianMT model",
                 "builtin": "built-in offline translator", "builtin-partial": "built-in translator, partly",
                 "none": "not translated", "override": "edited by hand / 手动修改"}


def _not_understood_html(words) -> str:
    """The Chinese words the model would never see, in the colour of a warning."""
    listed = html.escape("、".join(words))
    return (f"<div style='color:{WARNING_COLOR};font-size:12px;margin:-4px 0 6px 8px'>"
            f"not understood: <b>{listed}</b> - type the English / 没看懂：<b>{listed}</b>，请在上面写英文</div>")


class InstructionPanel:
    """The instruction, its English prompt and the translator switch of an `App`; see the module docstring."""

    def __init__(self, app):
        self.app = app
        self.instruction = widgets.Text(placeholder="例如 e.g.: 把天空换成夜晚 / make it snowy", continuous_update=False,
                                        description="指令", layout=widgets.Layout(width="98%"))
        self.prompt = widgets.Text(placeholder="English prompt (translated, editable)", continuous_update=False,
                                   description="English", layout=widgets.Layout(width="98%"))
        self.backend_label = widgets.HTML(hint_html("The English prompt the model sees; edit it if the translation is off."))
        self.neural = widgets.Checkbox(value="marian" in available_backends(), indent=False,
                                       description="神经网络翻译 Neural translator (MarianMT; downloads ~300 MB once)")
        self.auto_prompt = ("", "none")  # (English text, backend) from the last translation
        self.not_understood = ()         # Chinese words the last translation left untranslated
        self.neural_thread = None
        self.widget = widgets.VBox([widgets.HTML("<b>2. 编辑指令 Instruction</b>"), self.instruction, self.prompt,
                                    self.backend_label, self.neural])
        self.instruction.observe(self._on_instruction_change, names="value")
        self.prompt.observe(self._on_prompt_change, names="value")
        self.neural.observe(self._on_neural_change, names="value")

    # ------------------------------------------------------------------ handlers
    def _on_instruction_change(self, change):
        self.app.guard(self.translate, change["new"])

    def _on_neural_change(self, change):
        if change["new"] and "marian" not in available_backends():
            self.app.guard(self.fetch_neural)
        else:
            self.app.guard(self.translate, self.instruction.value)

    def _on_prompt_change(self, change):
        self.label(change["new"])

    # ------------------------------------------------------------------ actions
    def label(self, english):
        """Say which translator gave `english` (or that it was edited by hand), and what it did not understand."""
        text, backend = self.auto_prompt
        name = BACKEND_NAMES[backend] if english.strip() == text else BACKEND_NAMES["override"]
        self.backend_label.value = hint_html(f"English prompt via {name}; edit it if the translation is off.")
        if self.not_understood and english.strip() == text:
            self.backend_label.value += _not_understood_html(self.not_understood)

    def translate(self, text):
        if not text.strip():
            self.auto_prompt, self.not_understood = ("", "none"), ()
            self.prompt.value = ""
            return
        t = translate(text.strip(), marian="auto" if self.neural.value else "off")  # never a download here
        self.auto_prompt, self.not_understood = (t.text, t.backend), t.untranslated
        self.prompt.value = t.text
        self.label(t.text)  # refresh the label even when the text did not change

    def fetch_neural(self):
        """Download and load MarianMT (~300 MB, once) in a thread: the app stays usable meanwhile."""
        app = self.app
        self.neural.disabled = True
        app.show_message("正在下载神经网络翻译模型（约 300 MB，只需一次）… / Downloading the neural translator "
                         "(~300 MB, once)…", "busy")

        def work():
            try:
                ready = translate("天空", marian="download", backends=["marian"]).backend == "marian"
            except Exception:  # noqa: BLE001  (any failure: the built-in translator stays in use)
                ready = False
            self.neural.disabled = False
            if ready:
                app.show_message("神经网络翻译已就绪 / The neural translator is ready.")
                app.guard(self.translate, self.instruction.value)
            else:
                why = (neural_last_error() or "no answer").split(": ", 1)[-1][:160]
                self.neural.value = False
                app.show_message(f"Could not get the neural translator ({why}); the built-in translator is used. "
                                 "/ 无法下载神经网络翻译，继续使用内置翻译。", "warning")

        self.neural_thread = threading.Thread(target=work, daemon=True)
        self.neural_thread.start()

    def backend_for(self, english, result) -> None:
        """Mark `result` as translated by the backend shown when `english` is the translation shown, unedited."""
        if english is not None and english == self.auto_prompt[0]:
            result.backend = self.auto_prompt[1]
