"""Every difference between ipywidgets 7 (Colab ships 7.7.1) and 8 that the app uses, in one place.

- `uploaded_files(upload)`: the FileUpload value as [(name, bytes)]; 7 gives a dict
  {name: {"metadata": ..., "content": bytes}}, 8 a tuple of dicts whose content is a memoryview.
- `clear_upload(upload)`: empty it, so the same file can be chosen again (7's value is read-only).
- `tab(children, titles)` / `accordion(children, titles)`: titles are a `titles=` argument in 8 only;
  7 sets them one by one with `set_title`. `add_tab(tab, child, title)` appends one page.
- `isolated(widget)`: `widget` shown inside an Output, so that a third-party widget whose front-end code
  fails (ipycanvas in the classic notebook on 7, on Kaggle) breaks only itself: under 7 a container
  whose child's model cannot be created is not drawn at all, and the whole app would vanish.
- `html(value, **kw)`: HTML widgets, with `description_allow_html` only where it exists (8).
Everything else the app uses (Layout, FileUpload's accept/multiple, Checkbox's indent...) is the same in both.
"""
import ipywidgets as widgets

__all__ = ["IPYWIDGETS_MAJOR", "uploaded_files", "clear_upload", "tab", "accordion", "add_tab", "isolated", "html"]

IPYWIDGETS_MAJOR = int(widgets.__version__.split(".")[0])


def uploaded_files(upload) -> list:
    """[(file name, content bytes)] of what `upload` holds now, under ipywidgets 7 or 8."""
    value = upload.value
    if isinstance(value, dict):      # ipywidgets 7: {name: {"metadata": {...}, "content": bytes}}
        return [(name, bytes(item.get("content") or b"")) for name, item in value.items()]
    return [(item.get("name", ""), bytes(item.get("content") or b"")) for item in value]   # 8: tuple of dicts


def clear_upload(upload) -> None:
    """Empty `upload` so that choosing the same file again is seen as a change."""
    if IPYWIDGETS_MAJOR >= 8:
        upload.value = ()
        return
    # ipywidgets 7: `value` is computed from `data` and `metadata`; the counter makes the next pick a change
    upload.set_trait("data", [])
    upload.set_trait("metadata", [])
    upload.set_trait("_counter", 0)
    upload.set_trait("value", {})


def _set_titles(widget, titles) -> None:
    if IPYWIDGETS_MAJOR >= 8:
        widget.titles = tuple(titles)
    else:
        for index, title in enumerate(titles):
            widget.set_title(index, title)


def tab(children, titles):
    """A Tab with these pages and titles."""
    widget = widgets.Tab(children=list(children))
    _set_titles(widget, titles)
    return widget


def accordion(children, titles, selected_index=None):
    """An Accordion with these sections and titles, closed unless `selected_index` is given."""
    widget = widgets.Accordion(children=list(children), selected_index=selected_index)
    _set_titles(widget, titles)
    return widget


def add_tab(widget, child, title) -> None:
    """Append page `child` with `title` to the Tab `widget`."""
    titles = [widget.get_title(i) or "" for i in range(len(widget.children))]
    widget.children = (*widget.children, child)
    _set_titles(widget, [*titles, title])


def isolated(widget):
    """An Output showing `widget` as a display of its own: the container never refers to its model."""
    view = {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    out = widgets.Output()
    out.outputs = ({"output_type": "display_data", "metadata": {},
                    "data": {"application/vnd.jupyter.widget-view+json": view, "text/plain": repr(widget)}},)
    return out


def html(value="", **kwargs):
    """An HTML widget; `description_allow_html` is dropped under ipywidgets 7 (it has no such option)."""
    if IPYWIDGETS_MAJOR < 8:
        kwargs.pop("description_allow_html", None)
    return widgets.HTML(value, **kwargs)
