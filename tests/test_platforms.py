"""Where am I: each hosted platform is named from the variables and folders recorded, with their sources, in
tests/data/platforms.json, and gets its one line of advice; `doctor` prints it; Kaggle's outputs go to /kaggle/working."""
import json
from pathlib import Path

import pytest

from ip2p_nb import detect_platform, outputs_dir
from ip2p_nb.platforms import PLATFORMS

RECORD = json.loads((Path(__file__).parent / "data" / "platforms.json").read_text(encoding="utf-8"))
HOSTED = [name for name in RECORD if not name.startswith("_")]


def test_every_platform_in_the_record_is_in_the_table_with_a_source():
    assert set(HOSTED) == {p.name for p in PLATFORMS}
    for name in HOSTED:
        assert RECORD[name]["sources"] and RECORD[name]["verified"], name
        table = next(p for p in PLATFORMS if p.name == name)
        assert set(RECORD[name]["env"]) == set(table.env) and set(RECORD[name]["paths"]) == set(table.paths), name


@pytest.mark.parametrize("name", HOSTED)
def test_each_variable_alone_names_its_platform(name, tmp_path):
    for variable, value in RECORD[name]["env"].items():
        assert detect_platform({variable: value}, root=tmp_path).name == name, variable


@pytest.mark.parametrize("name", [n for n in HOSTED if RECORD[n]["paths"]])
def test_each_folder_alone_names_its_platform(name, tmp_path):
    for folder in RECORD[name]["paths"]:
        root = tmp_path / name
        (root / folder.lstrip("/")).mkdir(parents=True)
        assert detect_platform({}, root=root).name == name, folder


def test_a_hosted_platform_wins_over_the_jupyter_and_voila_it_runs():
    env = {"JPY_PARENT_PID": "7", "VOILA_BASE_URL": "/", "KAGGLE_KERNEL_RUN_TYPE": "Interactive"}
    assert detect_platform(env, root="/nonexistent").name == "kaggle"
    assert detect_platform({"JPY_PARENT_PID": "7", "VOILA_BASE_URL": "/"}, root="/nonexistent").name == "voila"
    # ModelScope's notebooks are PAI-DSW instances underneath
    assert detect_platform({"DSW_INSTANCE_ID": "dsw-1", "MODELSCOPE_ENVIRONMENT": "dsw"}, root="/nonexistent").name == "modelscope"
    assert detect_platform({"COLAB_GPU": ""}, root="/nonexistent").name == "python"   # an empty variable is not a platform


def test_the_advice_says_what_each_platform_needs():
    advice = {p.name: p.advice for p in PLATFORMS}
    assert "GPU" in advice["colab"] and "custom widget manager" in advice["colab"]
    assert all(word in advice["kaggle"] for word in ("Internet", "T4", "P100", "/kaggle/working"))
    assert "wait until the switch has finished" in advice["modelarts"]
    mainland = [p.name for p in PLATFORMS if p.mainland]
    assert sorted(mainland) == ["autodl", "modelarts", "modelscope", "pai-dsw"]
    assert all("HF_ENDPOINT=https://hf-mirror.com" in advice[n] for n in mainland)
    assert not any("hf-mirror" in advice[n] for n in ("colab", "kaggle", "jupyter", "voila"))


def test_outputs_go_to_kaggle_working_on_kaggle_else_beside_the_notebook(tmp_path):
    kaggle = next(p for p in PLATFORMS if p.name == "kaggle")
    assert outputs_dir(tmp_path, platform=kaggle) == Path("/kaggle/working")
    assert outputs_dir(tmp_path, platform=detect_platform({}, root=tmp_path)) == tmp_path
    assert outputs_dir("notebooks", platform=detect_platform({"COLAB_RELEASE_TAG": "x"}, root=tmp_path)) == Path("notebooks")


def test_doctor_names_the_platform_first(monkeypatch):
    from ip2p_nb.doctor import doctor_lines

    for p in PLATFORMS:
        for variable in p.env:
            monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("KAGGLE_KERNEL_RUN_TYPE", "Interactive")
    monkeypatch.setenv("IP2P_MODEL", "tiny")
    monkeypatch.setenv("IP2P_TRANSLATE_OFFLINE", "1")
    label, value = doctor_lines()[0]
    assert label == "platform" and value.startswith("Kaggle: in Settings turn Internet on")


def test_the_widget_version_mismatch_that_leaves_the_app_blank_is_named_with_its_fix():
    """ipywidgets 7.7.1 + widgetsnbextension 3.6.10 (pip's pick) cannot draw Output widgets in the classic Notebook
    (issue 34): doctor and the install cell say so with the one command that fixes it; the working pairs say nothing."""
    from ip2p_nb.platforms import WIDGET_FIX, widget_mismatch

    sentence = widget_mismatch("7.7.1", "3.6.10")
    assert "3.6.10" in sentence and WIDGET_FIX in sentence and sentence.count("`") == 2
    assert widget_mismatch("7.7.1", "3.6.6") is None          # what tests/make_w7_env.sh installs: it draws
    assert widget_mismatch("8.1.9", "4.0.15") is None          # ipywidgets 8
    from importlib import metadata
    assert widget_mismatch() == widget_mismatch(metadata.version("ipywidgets"), metadata.version("widgetsnbextension"))


def test_the_install_cell_reports_the_widget_mismatch():
    import json
    from pathlib import Path

    cell = "".join(json.loads((Path(__file__).parents[1] / "notebooks" / "ip2p_app.ipynb").read_text())["cells"][2]["source"])
    assert "widget_mismatch()" in cell
