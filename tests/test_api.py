"""The public API: names from DESIGN.md are importable, callable, and `import ip2p_nb` stays light."""
import subprocess
import sys


def test_public_names_are_functions_even_after_submodule_imports():
    code = (
        "import ip2p_nb.translation, ip2p_nb.outputs.grids, ip2p_nb.outputs.poster, ip2p_nb.editing.editor\n"
        "from ip2p_nb import load_editor, Editor, translate, make_poster, explore, available_models\n"
        "import inspect\n"
        "assert all(inspect.isfunction(f) for f in (load_editor, translate, make_poster, explore, available_models))\n"
        "assert inspect.isclass(Editor)\n"
        "print(translate('把天空换成夜晚').text)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={"IP2P_TRANSLATE_OFFLINE": "1", "PATH": ""})
    assert p.returncode == 0, p.stderr
    assert "night" in p.stdout


def test_import_is_light():
    code = "import sys, ip2p_nb; from ip2p_nb import translate; translate('你好'); print('torch' in sys.modules)"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={"IP2P_TRANSLATE_OFFLINE": "1"})
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"


def test_all_lists_the_design_names():
    import ip2p_nb

    for name in ("load_editor", "Editor", "translate", "make_poster", "explore", "EditResult", "DEFAULTS"):
        assert name in ip2p_nb.__all__
