"""Reading every image a user can bring: modes, formats, EXIF orientation, animations, broken files, bombs.

Every case ends in an RGB picture with the expected pixels or in one `UserError` sentence; no
other exception type may escape `load_image`. Files come from `tests/corpus.py`.
"""
import io
import random
import subprocess
import sys
import time
import tracemalloc
import warnings

import pytest
from PIL import Image

from corpus import BLUE, FORMATS, MODES, ORIENTATIONS, RED, animated, make_corpus, marker_image, mode_image, \
    oriented_jpeg, png_claiming
from ip2p_nb.errors import UserError
from ip2p_nb.editing.images import MAX_PIXELS, edit_size, load_image, resize_for_edit


def close(a, b, tol=12):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"))


# ---------------------------------------------------------------- modes and formats
@pytest.mark.parametrize("mode", list(MODES))
def test_every_mode_from_memory_becomes_rgb_with_the_right_pixels(mode):
    im, (left, right) = mode_image(mode)
    assert im.mode == mode
    out = load_image(im)
    assert out.mode == "RGB" and out.size == im.size
    assert close(out.getpixel((2, 2)), left) and close(out.getpixel((im.width - 2, 2)), right)


@pytest.mark.parametrize("mode,fmt", [(m, f) for m, fmts in MODES.items() for f in fmts])
def test_every_mode_from_a_file_becomes_rgb_with_the_right_pixels(mode, fmt):
    im, (left, right) = mode_image(mode)
    buf = io.BytesIO()
    im.save(buf, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    out = load_image(buf.getvalue())
    assert out.mode == "RGB" and out.size == im.size
    assert close(out.getpixel((2, 2)), left), (mode, fmt, out.getpixel((2, 2)))
    assert close(out.getpixel((im.width - 2, 2)), right), (mode, fmt, out.getpixel((im.width - 2, 2)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_from_path_bytes_and_file_object(corpus, fmt):
    path = corpus[f"photo.{fmt.lower()}"]
    for src in (path, str(path), path.read_bytes(), open(path, "rb")):
        out = load_image(src)
        assert out.mode == "RGB" and out.size == (120, 80)
        assert close(out.getpixel((5, 5)), RED, 20) and close(out.getpixel((115, 75)), BLUE, 20)


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
def test_exif_orientation_is_applied_so_the_marker_is_top_left(orientation):
    data = oriented_jpeg(orientation)
    stored = Image.open(io.BytesIO(data))
    assert stored.getexif()[0x0112] == orientation
    out = load_image(data)
    assert out.size == (96, 48)  # landscape again even when stored portrait (orientations 5-8)
    assert close(out.getpixel((5, 5)), RED) and close(out.getpixel((90, 44)), BLUE)
    assert close(out.getpixel((90, 5)), (255, 255, 255)) and close(out.getpixel((5, 44)), (255, 255, 255))


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animation_gives_the_first_frame_and_says_so(fmt):
    notes = []
    out = load_image(animated(fmt), notes=notes)
    assert close(out.getpixel((10, 10)), RED, 20)
    assert notes == ["the uploaded file is animated; only its first frame is edited."]


def test_mpo_camera_jpeg_is_not_called_an_animation():
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), RED).save(buf, "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48), BLUE)])
    assert Image.open(io.BytesIO(buf.getvalue())).format == "MPO"
    notes = []
    out = load_image(buf.getvalue(), max_size=256, notes=notes)
    assert close(out.getpixel((10, 10)), RED, 20) and notes == []


# ---------------------------------------------------------------- broken input: one sentence each
BROKEN = {
    "empty.jpg": "'empty.jpg' is empty; choose a photo file (JPEG, PNG, WebP...).",
    "text.png": "'text.png' is not an image Pillow can read; use a JPEG, PNG, WebP, GIF, BMP or TIFF file.",
    "html.jpg": "'html.jpg' is not an image Pillow can read; use a JPEG, PNG, WebP, GIF, BMP or TIFF file.",
    "zeros.png": "'zeros.png' is not an image Pillow can read; use a JPEG, PNG, WebP, GIF, BMP or TIFF file.",
    "header_only.png": "'header_only.png' is not an image Pillow can read; use a JPEG, PNG, WebP, GIF, BMP or TIFF file.",
    "truncated.png": "'truncated.png' is damaged or cut short (image file is truncated); try another file or save it again.",
    "corrupt.png": "'corrupt.png' is damaged or cut short (broken data stream when reading image file); try another file or save it again.",
    "truncated.jpg": "Could not read 'truncated.jpg' (Truncated File Read); try another file.",
    "bomb.png": "'bomb.png' claims an enormous size; it is refused to protect memory. Use a normal photo.",
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_file_gives_one_sentence(corpus, name):
    with pytest.raises(UserError) as e:
        load_image(corpus[name])
    assert str(e.value) == BROKEN[name]
    assert "\n" not in str(e.value)


def test_missing_path_and_odd_sources():
    cases = {
        "/no/such/photo.jpg": "There is no file at '/no/such/photo.jpg'; check the path and try again.",
        "/tmp": "There is no file at '/tmp'; check the path and try again.",
        "x" * 300: f"There is no file at '{'x' * 80}...'; check the path and try again.",  # ENAMETOOLONG
        b"": "The uploaded file is empty; choose a photo file (JPEG, PNG, WebP...).",
        12: "Cannot read an image from a int; give a path, bytes or a PIL image.",
        None: "Cannot read an image from a NoneType; give a path, bytes or a PIL image.",
    }
    for src, message in cases.items():
        with pytest.raises(UserError) as e:
            load_image(src)
        assert str(e.value) == message


def test_uploaded_bytes_are_data_never_a_path(tmp_path):
    """An upload whose content is a file name is read as (non-image) data, not opened as a path."""
    target = tmp_path / "secret.png"
    marker_image().save(target)
    with pytest.raises(UserError, match="^the uploaded file is not an image"):
        load_image(str(target).encode())
    assert load_image(target.read_bytes()).size == (96, 48)


def test_random_damage_never_escapes_as_another_exception():
    """300 truncations and byte flips per format: an RGB image or a UserError, nothing else."""
    rng = random.Random(6)
    base = marker_image((64, 48))
    for fmt in FORMATS + ["PPM", "TGA", "ICO"]:
        buf = io.BytesIO()
        base.save(buf, fmt)
        data = buf.getvalue()
        for trial in range(120):
            b = bytearray(data[: rng.randrange(1, len(data))] if trial % 3 == 0 else data)
            for _ in range(0 if trial % 3 == 0 else rng.randrange(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out = load_image(bytes(b), max_size=256)
                assert out.mode == "RGB"
            except UserError as e:
                assert "\n" not in str(e)


# ---------------------------------------------------------------- size limits
def test_bomb_header_is_refused_before_decoding_fast_and_small():
    data = png_claiming(100_000, 100_000)
    tracemalloc.start()
    with pytest.raises(UserError, match="claims an enormous size"):
        load_image(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000  # nothing was decoded: 10^10 pixels would need 30 GB


def test_header_over_our_limit_is_refused_with_its_size():
    """Between our limit (120 MP) and Pillow's bomb error (179 MP): refused by our check, before decoding."""
    tracemalloc.start()
    with pytest.raises(UserError) as e:
        load_image(png_claiming(12_000, 12_000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(e.value) == "the uploaded file is 12000x12000 pixels, more than 120 megapixels; shrink it first."
    assert peak < 5_000_000  # refused from the header, before decoding


def test_large_photo_below_the_limit_is_not_called_a_bomb():
    """A 100 MP header (a 108 MP phone takes such photos) passes the size check; Pillow only warns at 89 MP."""
    assert 10_000 * 10_000 < MAX_PIXELS
    with pytest.raises(UserError) as e:  # the file holds no pixel data, so decoding (not the size check) fails
        load_image(png_claiming(10_000, 10_000))
    assert "damaged or cut short" in str(e.value)


RSS_PROBE = """
import sys
from ip2p_nb.editing.images import load_image
def peak_kb():  # VmHWM: this process's peak resident memory (ru_maxrss would include the parent's, kept across exec)
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1])
before = peak_kb()
im = load_image(sys.argv[1], max_size=int(sys.argv[2]))
print(im.size[0], im.size[1], (peak_kb() - before) // 1024)
"""


def test_50_megapixel_jpeg_is_reduced_while_decoding(tmp_path):
    path = tmp_path / "big.jpg"
    Image.linear_gradient("L").resize((8192, 6144)).convert("RGB").save(path, quality=80)  # 50.3 MP
    runs = {}
    for max_size in (512, 0):  # 0: no reduction asked, the full decode for comparison
        out = subprocess.run([sys.executable, "-c", RSS_PROBE, str(path), str(max_size)], capture_output=True, text=True, check=True)
        w, h, grown_mb = map(int, out.stdout.split())
        runs[max_size] = (w, h, grown_mb)
    assert runs[512][:2] == (1024, 768)  # decoded at 1/8 scale: still >= max_size on both sides
    assert runs[0][:2] == (8192, 6144)
    assert runs[512][2] < 30 and runs[0][2] > 100, runs  # peak memory: < 30 MB more instead of 110-160 MB


# ---------------------------------------------------------------- tiny and extreme shapes
@pytest.mark.parametrize("size,max_size,expected", [
    ((1, 1), 256, (256, 256)), ((3, 7), 256, (112, 256)), ((7, 3), 512, (512, 216)),
    ((1, 1000), 256, None), ((5000, 10), 256, None), ((4000, 250), 1024, (1024, 64)),
])
def test_tiny_and_extreme_shapes_resize_or_are_refused(size, max_size, expected):
    im = load_image(Image.new("RGB", size, RED))
    if expected is None:
        with pytest.raises(UserError, match=r"too narrow for max_size .* crop it to a less extreme shape or raise max_size"):
            resize_for_edit(im, max_size)
    else:
        out = resize_for_edit(im, max_size)
        assert out.size == expected == edit_size(*size, max_size)
        assert close(out.getpixel((out.width // 2, out.height // 2)), RED)


# ---------------------------------------------------------------- images from a web address (loopback server)
import threading  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

from ip2p_nb.editing.fetch import fetch_bytes  # noqa: E402

PHOTO_JPEG = oriented_jpeg(6)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if not any(k == "Content-Length" for k, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/photo.jpg":
            self._send(200, PHOTO_JPEG, [("Content-Type", "image/jpeg")])
        elif self.path == "/page.html":
            self._send(200, b"<html>not a picture</html>")
        elif self.path == "/empty.png":
            self._send(200, b"")
        elif self.path == "/huge.jpg":  # claims 1 GB
            self._send(200, b"x" * 10, [("Content-Length", str(2**30))])
        elif self.path == "/endless.jpg":  # no length, keeps sending
            self.send_response(200)
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b"\xff" * 65536)
        elif self.path == "/trickle.jpg":  # one byte every 0.1 s: never idle long enough for a socket timeout
            self.send_response(200)
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"\xff")
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path == "/to-ftp":
            self._send(302, headers=[("Location", "ftp://127.0.0.1/photo.jpg")])
        elif self.path == "/moved":
            self._send(301, headers=[("Location", "/photo.jpg")])
        else:
            self._send(404, b"no")


@pytest.fixture(scope="module")
def web():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_image_from_a_web_address_is_loaded_upright(web):
    for url in (f"{web}/photo.jpg", f"{web}/moved"):
        out = load_image(url)
        assert out.size == (96, 48) and close(out.getpixel((5, 5)), RED)


@pytest.mark.parametrize("path,message", [
    ("/missing.jpg", "The server answered 404 (Not Found) for '{web}/missing.jpg'; check the address."),
    ("/page.html", "'page.html' is not an image Pillow can read; use a JPEG, PNG, WebP, GIF, BMP or TIFF file."),
    ("/empty.png", "'empty.png' is empty; choose a photo file (JPEG, PNG, WebP...)."),
    ("/huge.jpg", "'{web}/huge.jpg' is 1024 MB, more than the 30 MB allowed; download a smaller image."),
    ("/to-ftp", "The address redirected to 'ftp://127.0.0.1/photo.jpg'; only http and https downloads are allowed."),
])
def test_bad_web_address_is_one_sentence(web, path, message):
    with pytest.raises(UserError) as e:
        load_image(web + path)
    assert str(e.value) == message.format(web=web)


def test_download_limits_size_and_time(web):
    with pytest.raises(UserError) as e:
        fetch_bytes(f"{web}/endless.jpg", max_bytes=1_000_000)
    assert str(e.value) == f"'{web}/endless.jpg' is more than the 1 MB allowed; download a smaller image."
    start = time.monotonic()
    with pytest.raises(UserError) as e:
        fetch_bytes(f"{web}/trickle.jpg", timeout=1.0)
    assert time.monotonic() - start < 3
    assert str(e.value) == f"Downloading '{web}/trickle.jpg' took longer than the 1 s allowed; try again or save the image and load the file."


def test_only_http_and_https_and_closed_ports(tmp_path):
    with pytest.raises(UserError) as e:
        load_image("file:///etc/passwd")
    assert str(e.value) == "Only http and https addresses can be downloaded, not file://; save the image and give its file."
    port = _closed_port()
    with pytest.raises(UserError) as e:
        load_image(f"http://127.0.0.1:{port}/photo.jpg")
    assert str(e.value) == (f"Could not download 'http://127.0.0.1:{port}/photo.jpg' ([Errno 111] Connection refused); "
                            "check the address and the network, or save the image and give its file.")


def _closed_port() -> int:
    import socket

    with socket.socket() as s:  # bound, then closed: nobody listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
