"""A room under load, reduced for CI: 10 pages on one `app --shared --model tiny` (bench/room.py; `bench --room 50`
runs the full one). Six pages are opened by their first request (Voila runs the app in a kernel of their own), four
in Chromium, and those four edit at once and make posters. Every page's kernel is light, the edits run in the order
they were queued, and each poster lands in its own visitor's folder and nowhere else."""
import pytest

from ip2p_nb.bench.room import CHROMIUM, room_load

pytestmark = pytest.mark.browser

PAGES, BROWSERS = 10, 4


def test_ten_pages_four_editing_at_once(tmp_path):
    if not __import__("pathlib").Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    r = room_load(pages=PAGES, browsers=BROWSERS, editing=BROWSERS, steps=3, folder=tmp_path, log=print)
    print(f"\nroom of {PAGES}: {r['room_gb']} GB in all, {r['mb_per_page']} MB per page kernel "
          f"(largest {max(r['kernel_mb'])}); pages shown in {r['shown_s']} s; click to result {r['click_to_result_s']} s")
    assert r["kernels"] == PAGES and r["kernels_with_torch"] == 0          # one light kernel per page
    assert max(r["kernel_mb"]) <= 120
    queue = r["queue"]
    assert len(queue) == BROWSERS
    starts = [q["started_t"] for q in queue]                              # in the order they were queued
    assert starts == sorted(starts)                                       # first come, first served
    assert max(q["place"] for q in queue) >= 2                            # they really queued behind each other
    assert r["posters"] == BROWSERS and r["posters_in_own_folders"] and r["stray_pngs"] == []
