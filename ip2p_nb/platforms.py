"""Where am I: the hosted notebook platform this runs on, named from its environment, with one line of advice.

`detect_platform()` reads only environment variables and a few well-known folders (no network, no
import of anything heavy), so `doctor`, the notebook's hardware cell and the app can all call it.
Which variable identifies which platform, and where each was found, is recorded with its source in
tests/data/platforms.json; tests/test_platforms.py checks this table against that record.
`outputs_dir()` is where files a user wants to keep belong: /kaggle/working on Kaggle (the only
folder Kaggle keeps), else the folder beside the notebook.
"""
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Platform", "PLATFORMS", "detect_platform", "outputs_dir", "widget_mismatch", "WIDGET_FIX"]

# ipywidgets 7.7.1 (Colab's) needs widgetsnbextension ~=3.6.0, and pip then picks the newest, 3.6.10, whose front end
# cannot draw an Output widget in the classic Notebook 6.5 ("_deserialize_state is not a function", checked with a
# one-cell notebook): the app is blank. 3.6.6 draws it (tests/make_w7_env.sh); 3.6.7-3.6.9 were not checked.
WIDGET_FIX = "pip install widgetsnbextension==3.6.6"

# Hugging Face is slow or unreachable from mainland China; the same model ids work through the mirror.
_MIRROR = "Hugging Face is slow or blocked from mainland China: set HF_ENDPOINT=https://hf-mirror.com before loading " \
          "(the app also tries that mirror by itself when the hub does not answer within 3 s)"


@dataclass(frozen=True)
class Platform:
    name: str            # short id: colab, kaggle, modelscope, modelarts, pai-dsw, autodl, voila, jupyter, python
    label: str           # what the user calls it
    env: tuple = ()      # any of these environment variables set (non-empty) identifies it
    paths: tuple = ()    # ... or any of these folders existing
    advice: str = ""     # the one line `doctor` and the notebook print
    mainland: bool = False  # a mainland-China platform (the hub mirror matters)


# First match wins: the hosted platforms before Voila and plain Jupyter, which run on any of them.
# ModelScope's notebooks run on PAI-DSW instances, so ModelScope is tried before PAI-DSW.
PLATFORMS = (
    Platform("colab", "Google Colab", env=("COLAB_RELEASE_TAG", "COLAB_GPU"),
             advice="Runtime > Change runtime type > a GPU (T4) runtime: on the CPU runtime one edit takes minutes; "
                    "the app switches on Colab's custom widget manager itself (again after each restart)"),
    Platform("kaggle", "Kaggle", env=("KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE"), paths=("/kaggle/working",),
             advice="in Settings turn Internet on (off by default; it needs a phone-verified account) and choose "
                    "the GPU T4 x2 accelerator, not P100 (current torch builds no longer support the P100); "
                    "posters are kept in /kaggle/working"),
    Platform("modelscope", "ModelScope notebook", env=("MODELSCOPE_ENVIRONMENT",),
             advice=_MIRROR, mainland=True),
    Platform("modelarts", "Huawei Cloud ModelArts", env=("MA_VJ_NAME",), paths=("/home/ma-user/work",),
             advice="after switching the instance's resources (CPU <-> GPU) wait until the switch has finished "
                    f"and the kernel restarted before running cells; {_MIRROR}", mainland=True),
    Platform("pai-dsw", "Alibaba Cloud PAI-DSW", env=("DSW_INSTANCE_ID",),
             advice=_MIRROR, mainland=True),
    Platform("autodl", "AutoDL", env=("AutoDLContainerUUID",), paths=("/root/autodl-tmp",),
             advice="keep the model cache on the data disk (export HF_HOME=/root/autodl-tmp/hf; the system disk "
                    f"is small); {_MIRROR}", mainland=True),
    Platform("voila", "a Voila-served app", env=("VOILA_BASE_URL", "VOILA_SERVER_URL"),
             advice="the model and the port come from `python -m ip2p_nb app --model ... --port ...`"),
    Platform("jupyter", "Jupyter", env=("JPY_PARENT_PID", "JPY_SESSION_NAME"),
             advice="with an NVIDIA GPU an edit takes seconds, on a CPU minutes"),
)
_ELSEWHERE = Platform("python", "Python outside a notebook", advice="")


def detect_platform(environ=None, root="/") -> Platform:
    """The first of PLATFORMS whose variable is set in `environ` (default os.environ) or whose folder exists
    under `root`; a `python` Platform when none matches (a terminal, a script)."""
    environ = os.environ if environ is None else environ
    base = Path(root)
    for platform in PLATFORMS:
        if any(environ.get(name) for name in platform.env):
            return platform
        if any((base / p.lstrip("/")).is_dir() for p in platform.paths):
            return platform
    return _ELSEWHERE


def outputs_dir(beside=".", platform: Platform | None = None) -> Path:
    """Where a poster or an edit worth keeping goes: /kaggle/working on Kaggle (the only folder it keeps after
    the session), else `beside` (the notebook's folder)."""
    platform = platform or detect_platform()
    if platform.name == "kaggle":
        return Path("/kaggle/working")
    return Path(beside)


def widget_mismatch(ipywidgets_version: str | None = None, nbextension_version: str | None = None) -> str | None:
    """One sentence when the installed ipywidgets 7 and widgetsnbextension cannot draw the app in the classic Notebook,
    with the command that fixes it; None when they can (or are not installed). Versions: the installed ones by default."""
    from importlib import metadata  # noqa: PLC0415

    def installed(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    widgets = ipywidgets_version or installed("ipywidgets")
    extension = nbextension_version or installed("widgetsnbextension")
    if not widgets or not extension or not widgets.startswith("7."):
        return None
    if ipywidgets_version is None and detect_platform().name == "colab":   # Colab draws widgets with its own manager
        return None
    parts = tuple(int(p) for p in extension.split(".")[:3] if p.isdigit())
    if not (3, 6, 7) <= parts < (4,):
        return None
    return (f"ipywidgets {widgets} with widgetsnbextension {extension} cannot draw Output widgets in the classic Notebook, "
            f"so the app would stay blank: run `{WIDGET_FIX}` and reload the page / 小部件版本不匹配，请运行 {WIDGET_FIX} 后刷新页面.")
