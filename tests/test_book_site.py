"""The rendered book as a reader meets it: built from clean, opened in a real browser, offline.

One module-scoped fixture builds the book (``jupyter-book build . --all -W -n
--keep-going``), serves ``_build/html`` on 127.0.0.1 and opens every page in
headless Chromium (Debian's ``chromium`` driven by playwright; never a browser
downloaded by ``playwright install``). Every request that would leave
127.0.0.1 is blocked and reported: the book must read offline. Each test then
checks one property on every page and names the page and the problem.

Environment knobs, for working on the book (the default is what CI runs):

* ``RNN_BOOK_OUTPUT=DIR``: build into ``DIR/_build`` (jupyter-book's ``--path-output``)
  instead of the repository's ``_build``.
* ``RNN_BOOK_REUSE_BUILD=1``: skip the build and check the site already there.
"""

from __future__ import annotations

import functools
import html.parser
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from rnn_assign import launch

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(os.environ.get("RNN_BOOK_OUTPUT", ROOT)).resolve()
BUILD = OUTPUT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
BUILD_LOG = BUILD / "site_test_build.log"
CHAPTER = re.compile(r"^ch\d\d_.*\.html$")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_SCHEMES = ("data:", "blob:", "about:")
_REFRESH = re.compile(r'<meta[^>]+http-equiv="refresh"', re.IGNORECASE)


def _launch_settings() -> dict:
    """launch_buttons from _config.yml, read line by line (no YAML library needed)."""
    out, inside = {}, False
    for line in (ROOT / "_config.yml").read_text(encoding="utf-8").splitlines():
        if re.match(r"^launch_buttons\s*:", line):
            inside = True
            continue
        if inside:
            if line and not line[0].isspace() and not line.startswith("#"):
                break
            m = re.match(r"^\s+(\w+)\s*:\s*([^#\s]+)", line)
            if m:
                out[m.group(1)] = m.group(2).strip("\"'")
    return out


# ---------------------------------------------------------------- the build


# Log lines of the Jupyter kernel machinery, not of the book. IPKernelApp warns that
# its local TCP socket is unencrypted. ipykernel 7 sometimes logs a ZMQStream error
# when a kernel is shut down after its notebook has run (a flush racing the closing
# socket); a notebook that really failed still fails the build through
# nb_execution_raise_on_error and -W, which the exit code check below catches.
_KERNEL_NOISE = ("[IPKernelApp]", "ERROR:tornado.general:Uncaught exception in ZMQStream callback")


def _kernel_noise(line: str) -> bool:
    return any(marker in line for marker in _KERNEL_NOISE)


def _build_book() -> None:
    if os.environ.get("RNN_BOOK_REUSE_BUILD") == "1" and (HTML / "index.html").exists():
        return
    shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(parents=True)
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--all",
           "-W", "-n", "--keep-going"]
    if OUTPUT != ROOT:
        cmd += ["--path-output", str(OUTPUT)]
    with open(BUILD_LOG, "w", encoding="utf-8") as log:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
    text = BUILD_LOG.read_text(encoding="utf-8", errors="replace")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    warnings = [ln for ln in plain.splitlines()
                if re.search(r"(WARNING|ERROR|CRITICAL):", ln) and not _kernel_noise(ln)]
    if proc.returncode != 0 or warnings or not (HTML / "index.html").exists():
        tail = "\n".join(plain.splitlines()[-30:])
        counts = {}
        for w in warnings:
            counts[w] = counts.get(w, 0) + 1
        listed = "\n".join(f"{w}" + (f"  (x{n})" if n > 1 else "")
                           for w, n in list(counts.items())[:40])
        pytest.fail(
            f"book build failed (exit {proc.returncode}, {len(warnings)} warning(s), "
            f"{len(counts)} distinct); "
            f"full log: {BUILD_LOG}\n--- warnings ---\n{listed}\n--- log tail ---\n{tail}",
            pytrace=False,
        )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


def _pages() -> list[str]:
    """Every HTML page of the site, as a path relative to _build/html."""
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).parts[0].startswith("_")
    )


_JS_WAIT_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null :
      new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r);
                         setTimeout(r, 5000); })));
  return imgs.map(i => ({src: i.currentSrc || i.src, alt: i.getAttribute('alt'),
                         ok: i.complete && i.naturalWidth > 0}));
}"""

_JS_MATH = """async () => {
  const hasMath = document.querySelector('article .math, article span.math, article div.math') !== null;
  let typeset = 0, error = null;
  if (hasMath) {
    const t0 = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - t0 < 15000)
      await new Promise(r => setTimeout(r, 50));
    try {
      if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
      else error = 'MathJax never loaded';
    } catch (e) { error = String(e); }
    typeset = document.querySelectorAll('mjx-container').length;
  }
  const clone = (document.querySelector('article') || document.body).cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, .headerlink,'
                         + ' noscript, .highlight').forEach(e => e.remove());
  const text = clone.textContent;
  const raw = [];
  for (const pat of ['\\\\(', '\\\\[', '$$', '\\\\begin{']) {
    const i = text.indexOf(pat);
    if (i >= 0) raw.push(text.slice(Math.max(0, i - 30), i + 40).replace(/\\s+/g, ' '));
  }
  const mjxErrors = document.querySelectorAll('mjx-merror, [data-mjx-error]').length;
  const untypeset = Array.from(document.querySelectorAll('article .math'))
    .filter(e => !e.querySelector('mjx-container'))
    .map(e => e.textContent.trim().slice(0, 60));
  // Display equations wider than the text column scroll sideways: report them with their TeX.
  const wide = [];
  if (hasMath && window.MathJax && MathJax.startup && MathJax.startup.document) {
    for (const item of MathJax.startup.document.math) {
      const root = item.typesetRoot;
      if (!item.display || !root || !root.isConnected) continue;
      const column = root.closest('div.math') || root.parentElement;
      const inner = root.querySelector('mjx-math') || root;
      const width = inner.getBoundingClientRect().width;
      if (width > column.clientWidth + 1 || root.scrollWidth > root.clientWidth + 1)
        wide.push(`${Math.round(width)} px in ${column.clientWidth} px: `
                  + String(item.math).replace(/\\s+/g, ' ').trim().slice(0, 80));
    }
  }
  return {hasMath, typeset, error, raw, mjxErrors, untypeset, wide};
}"""

_JS_HEADINGS = """() => Array.from(
  (document.querySelector('article.bd-article') || document.querySelector('main') || document.body)
    .querySelectorAll('h1, h2, h3, h4, h5, h6'))
  .filter(h => !h.closest('nav, header, footer, .bd-sidebar-primary, .bd-sidebar-secondary'))
  .map(h => [Number(h.tagName[1]), h.textContent.replace(/[\\u00b6#]/g, '').trim().slice(0, 60)])"""

_JS_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .map(a => ({href: a.href, raw: a.getAttribute('href'), text: a.textContent.trim().slice(0, 40)}))"""

_JS_BUTTONS = """() => ({
  copy: document.querySelectorAll('button.copybtn').length,
  highlights: document.querySelectorAll('div.highlight pre').length,
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
})"""


@pytest.fixture(scope="module")
def site():
    """Build, serve, crawl: one dict per page with what the browser saw."""
    _build_book()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium not found: run scripts/ensure_chromium.sh (apt-get install chromium)",
                    pytrace=False)
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          color_scheme="light", service_workers="block")
            for rel in _pages():
                try:
                    results[rel] = _visit(context, base, rel)
                except Exception as exc:  # one broken page must not hide the others
                    results[rel] = _broken(f"could not open or inspect the page: {exc}")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {"base": base, "pages": results}


def _broken(message: str) -> dict:
    return {"status": None, "external": [], "bad_status": [], "failed": [], "console": [message],
            "images": [], "headings": None, "links": [],
            "buttons": {"copy": 0, "highlights": 0, "links": []},
            "math": {"hasMath": False, "typeset": 0, "error": None, "raw": [], "mjxErrors": 0}}


def _visit(context, base: str, rel: str) -> dict:
    page = context.new_page()
    seen = {"external": [], "bad_status": [], "failed": [], "console": []}

    def route(r):
        url = r.request.url
        if url.startswith(base) or url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            seen["external"].append(url)
            r.abort()

    page.route("**/*", route)
    page.on("response", lambda resp: resp.status >= 400 and seen["bad_status"].append(
        f"{resp.status} {resp.url}"))
    page.on("requestfailed", lambda req: req.url.startswith(base) and seen["failed"].append(
        f"{req.url} ({req.failure})"))
    page.on("console", lambda msg: msg.type == "error" and seen["console"].append(
        f"{msg.text} @ {msg.location.get('url', '')}:{msg.location.get('lineNumber', '')}"))
    page.on("pageerror", lambda exc: seen["console"].append(f"uncaught: {exc}"))

    response = page.goto(base + rel, wait_until="load", timeout=30000)
    out = dict(seen)
    out["status"] = response.status if response else None
    if _REFRESH.search((HTML / rel).read_text(encoding="utf-8", errors="replace")):
        # A redirect stub (the root index.html): follow it; the target is checked as a page.
        page.wait_for_url(lambda u: u != base + rel, timeout=10000)
        page.wait_for_load_state("load")
        out.update(images=[], headings=None, links=[], buttons={"copy": 0, "highlights": 0, "links": []},
                   math={"hasMath": False, "typeset": 0, "error": None, "raw": [], "mjxErrors": 0},
                   redirect=page.url)
        page.close()
        out.update({k: list(v) for k, v in seen.items()})
        return out
    out["images"] = page.evaluate(_JS_WAIT_IMAGES)
    out["math"] = page.evaluate(_JS_MATH)
    out["headings"] = page.evaluate(_JS_HEADINGS)
    out["links"] = page.evaluate(_JS_LINKS)
    out["buttons"] = page.evaluate(_JS_BUTTONS)
    if CHAPTER.match(Path(rel).name) or rel in ("book/api.html", "book/troubleshooting.html"):
        page.wait_for_timeout(200)
        page.screenshot(path=str(SCREENSHOTS / (Path(rel).stem + ".png")), full_page=True)
    page.close()
    # Let late events (an image error after load) arrive before the lists are read.
    out.update({k: list(v) for k, v in seen.items()})
    return out


def _report(problems: list[str], what: str) -> None:
    problems = list(dict.fromkeys(problems))  # a retried request is one problem
    assert not problems, f"{len(problems)} {what}:\n" + "\n".join(problems)


# ---------------------------------------------------------------- the checks


def test_build_succeeds_and_serves_every_page(site):
    pages = site["pages"]
    assert "index.html" in pages, "index.html missing from _build/html"
    for name in ("book/api.html", "book/status.html", "book/troubleshooting.html"):
        assert name in pages, f"{name} missing from the built site"
    problems = [f"{p}: HTTP {r['status']}" for p, r in pages.items() if r["status"] != 200]
    problems += [f"{p}: redirects to {r['redirect']}, which is not a page of the site"
                 for p, r in pages.items()
                 if "redirect" in r and r["redirect"][len(site["base"]):].split("#")[0] not in pages]
    _report(problems, "page(s) not served with HTTP 200")


def test_offline_no_request_leaves_localhost(site):
    problems = [f"{p}: external request {u}" for p, r in site["pages"].items()
                for u in r["external"]]
    _report(problems, "request(s) to the network (the book must read offline)")


def test_every_asset_loads(site):
    problems = []
    for p, r in site["pages"].items():
        problems += [f"{p}: HTTP {s}" for s in r["bad_status"]]
        problems += [f"{p}: request failed {s}" for s in r["failed"]]
    _report(problems, "asset(s) that did not load")


def test_no_console_errors(site):
    problems = [f"{p}: console error: {m}" for p, r in site["pages"].items() for m in r["console"]]
    _report(problems, "console error(s)")


def test_images_load_and_have_alt_text(site):
    problems = []
    for p, r in site["pages"].items():
        for img in r["images"]:
            if not img["ok"]:
                problems.append(f"{p}: image did not load: {img['src']}")
            if not (img["alt"] or "").strip():
                problems.append(f"{p}: image without alt text: {img['src']} "
                                "(set the cell's mystnb.image.alt)")
    _report(problems, "image problem(s)")


def test_math_is_typeset(site):
    problems = []
    for p, r in site["pages"].items():
        m = r["math"]
        if m["hasMath"] and m["error"]:
            problems.append(f"{p}: MathJax failed: {m['error']}")
        if m["hasMath"] and m["typeset"] == 0:
            problems.append(f"{p}: page has math but MathJax typeset nothing")
        if m["mjxErrors"]:
            problems.append(f"{p}: {m['mjxErrors']} formula(s) with TeX errors")
        for tex in m.get("untypeset", [])[:5]:
            problems.append(f"{p}: formula not typeset: {tex}")
        for snippet in m["raw"]:
            problems.append(f"{p}: raw TeX left in the visible text: ...{snippet}...")
    _report(problems, "math problem(s)")


def test_display_math_fits_the_column(site):
    """At 1280 px no display equation is wider than the text column (it would scroll sideways)."""
    problems = []
    for p, r in site["pages"].items():
        m = r["math"]
        if m.get("hasMath") and "wide" not in m:
            problems.append(f"{p}: the width check did not run")
        problems += [f"{p}: display equation too wide, {w}" for w in m.get("wide", [])]
    _report(problems, "display equations wider than the text column (break them with aligned)")


def test_math_pages_exist(site):
    """The offline-MathJax check above must have something to check."""
    with_math = [p for p, r in site["pages"].items() if r["math"]["hasMath"]]
    assert with_math, "no page has math, so offline MathJax was not exercised"


def test_heading_order(site):
    problems = []
    for p, r in site["pages"].items():
        if p in ("genindex.html", "search.html", "py-modindex.html"):
            continue
        heads = r["headings"]
        if heads is None:  # a redirect stub
            continue
        h1 = [t for level, t in heads if level == 1]
        if len(h1) != 1:
            problems.append(f"{p}: {len(h1)} h1 headings (want exactly one): {h1}")
        if heads and heads[0][0] != 1:
            problems.append(f"{p}: first heading is h{heads[0][0]} {heads[0][1]!r}, not h1")
        for (a, ta), (b, tb) in zip(heads, heads[1:]):
            if b > a + 1:
                problems.append(f"{p}: heading level skips from h{a} {ta!r} to h{b} {tb!r}")
    _report(problems, "heading-order problem(s)")


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("id", "name") and v:
                self.ids.add(v)


@functools.lru_cache(maxsize=None)
def _ids_in(path: Path) -> frozenset:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def test_internal_links_and_anchors_resolve(site):
    base = site["base"]
    problems = []
    for p, r in site["pages"].items():
        for link in r["links"]:
            href = link["href"]
            if not href.startswith(base):
                continue
            parts = urlsplit(href)
            rel = unquote(parts.path)[1:] or "index.html"
            target = HTML / rel
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{p}: link {link['raw']!r} ({link['text']!r}) -> missing {rel}")
                continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == ".html" and frag not in _ids_in(target):
                problems.append(f"{p}: link {link['raw']!r} ({link['text']!r}) -> no #{frag} in {rel}")
    _report(problems, "broken internal link(s)")


def test_chapters_have_launch_download_and_copy_buttons(site):
    url = launch.repository_url(ROOT / "_config.yml")
    owner_repo = urlsplit(url).path.strip("/")
    settings = _launch_settings()
    hub = settings.get("jupyterhub_url", "").rstrip("/")
    expected = {
        "Binder": f"{settings.get('binderhub_url', '').rstrip('/')}/v2/gh/{owner_repo}/",
        "Colab": f"{settings.get('colab_url', '').rstrip('/')}/github/{owner_repo}/blob/",
        "JupyterHub": f"{hub}/hub/user-redirect/git-pull?repo=",
    }
    chapters = [p for p in site["pages"] if CHAPTER.match(Path(p).name)]
    assert chapters, "no chapter pages (book/chNN_*.html) in the site"
    problems = []
    for p in chapters:
        r = site["pages"][p]
        stem = Path(p).stem
        links = r["buttons"]["links"]
        for name, prefix in expected.items():
            if not any(h.startswith(prefix) and stem in h for h in links):
                problems.append(f"{p}: no {name} launch button (a link starting {prefix})")
        if not any(h.endswith(f"_sources/book/{stem}.ipynb") for h in links):
            problems.append(f"{p}: no download (.ipynb) button")
        if url not in links and url + "/" not in links:
            problems.append(f"{p}: no repository button linking {url}")
        b = r["buttons"]
        if b["highlights"] and b["copy"] < b["highlights"]:
            problems.append(f"{p}: {b['highlights']} code blocks but {b['copy']} copy buttons")
    _report(problems, "launch/download/copy button problem(s)")


def test_content_images_have_opaque_backgrounds(site):
    """Figures stay readable in the dark theme only on an opaque background."""
    import matplotlib.image as mpimg

    used_by = {}
    for p, r in site["pages"].items():
        for img in r["images"]:
            used_by.setdefault(unquote(urlsplit(img["src"]).path).rsplit("/", 1)[-1], set()).add(p)
    pngs = sorted((HTML / "_images").glob("*.png")) + [HTML / "_static" / "logo.png"]
    problems = []
    for png in pngs:
        if not png.exists():
            problems.append(f"{png.relative_to(HTML)}: missing")
            continue
        arr = mpimg.imread(png)
        if arr.ndim == 3 and arr.shape[2] == 4:
            alpha = arr[..., 3]
            if float(alpha.min()) < 1.0:
                frac = float((alpha < 1.0).mean())
                pages = ", ".join(sorted(used_by.get(png.name, {"?"})))
                problems.append(f"{pages}: {png.relative_to(HTML)} has a transparent background "
                                f"({frac:.0%} of pixels; use rnn_book.style / facecolor='white')")
    _report(problems, "image(s) unreadable in dark mode")


def test_site_has_favicon_logo_and_copyright(site):
    for rel in site["pages"]:
        if "redirect" in site["pages"][rel]:
            continue
        text = (HTML / rel).read_text(encoding="utf-8")
        assert re.search(r'<link rel="icon" href="[^"]*favicon\.png"', text), f"{rel}: no favicon"
        assert "_static/logo.png" in text, f"{rel}: no logo"
        assert re.search(r"&#169;|©|Copyright", text) and "The RNN from Scratch authors" in text, (
            f"{rel}: no copyright line in the footer")
        assert "Recurrent Neural Networks from Scratch" in text, f"{rel}: book title missing"


def test_api_page_documents_the_package(site):
    api = (HTML / "book" / "api.html").read_text(encoding="utf-8")
    import rnn_core

    ids = _ids_in(HTML / "book" / "api.html")
    missing = [n for n in rnn_core.__all__
               if not any(i.startswith("rnn_core.") and i.endswith("." + n) for i in ids)]
    assert not missing, f"book/api.html: rnn_core.__all__ names not documented: {missing}"
    assert ".. py:" not in api and ".. automodule" not in api, (
        "book/api.html: raw reST shown as text (wrap autodoc directives in {eval-rst})")


def test_api_page_covers_every_module(site):
    """A new module of rnn_core gets its own ``automodule`` in book/api.md."""
    import pkgutil

    import rnn_core

    source = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    modules = [m.name for m in pkgutil.walk_packages(rnn_core.__path__, "rnn_core.")
               if not m.name.rsplit(".", 1)[-1].startswith("_")]
    missing = [m for m in modules if not re.search(rf"automodule::\s+{re.escape(m)}\s*$", source, re.M)]
    assert not missing, f"book/api.md: no automodule for {missing} (add a '### `name`' section)"


_REMOTE_ASSET = re.compile(
    r'<(?:script|img|iframe|source|video|audio)\b[^>]*\bsrc="(https?:)?//[^"]+"'
    r'|<link\b[^>]*\brel="(?:stylesheet|preload|icon|modulepreload)"[^>]*\bhref="(https?:)?//[^"]+"'
    r'|<link\b[^>]*\bhref="(https?:)?//[^"]+"[^>]*\brel="(?:stylesheet|preload|icon|modulepreload)"',
    re.IGNORECASE,
)


def test_no_page_references_a_cdn_for_content(site):
    """Static twin of the offline check: no script, style, font or image is fetched from a server.

    (Links to elsewhere, such as the launch buttons, are fine: a reader follows them on purpose.)
    """
    problems = []
    for rel in site["pages"]:
        text = (HTML / rel).read_text(encoding="utf-8", errors="replace")
        for m in _REMOTE_ASSET.finditer(text):
            problems.append(f"{rel}: remote asset {m.group(0)[:160]}")
        if re.search(r"<script[^>]*mathjax", text, re.I) and "_static/mathjax/" not in text:
            problems.append(f"{rel}: MathJax is not the bundled copy in _static/mathjax")
    _report(problems, "remote asset reference(s)")


# ---------------------------------------------------------------- desktop and phone widths
#
# Every page again at a desktop (1280 px) and a phone (390 px) viewport. No page may scroll
# sideways; a long equation, table or code block may scroll inside its own box (that does not
# widen the page). Code and outputs stay readable: at least 12 px. book/_static/reading.css
# holds the rules that make this so. Screenshots of a few chapters at both widths land in
# _build/screenshots/<page>_<width>.png.

WIDTHS = (1280, 390)
MIN_CODE_PX = 12
WIDTH_SCREENSHOTS = ("ch01_rnn_cell", "ch05_bptt", "ch07_char_lm")

_JS_WIDTH = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    try { await MathJax.startup.promise; } catch (e) {}
  }
  const vw = window.innerWidth, sw = document.documentElement.scrollWidth;
  // The widest things that stick out of the viewport without a scrolling box of their own.
  const culprits = [];
  if (sw > vw + 1) {
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      // A box as wide as its parent can still spill its content (a <pre> with overflow visible).
      const ox0 = getComputedStyle(e).overflowX;
      const right = r.left + (['visible'].includes(ox0) ? Math.max(r.width, e.scrollWidth) : r.width);
      if (r.width === 0 || right <= vw + 1) continue;
      let p = e.parentElement, boxed = false;
      while (p && p !== document.body) {
        const ox = getComputedStyle(p).overflowX;
        if (['auto', 'scroll', 'hidden', 'clip'].includes(ox) && p.getBoundingClientRect().right <= vw + 1) {
          boxed = true; break;
        }
        p = p.parentElement;
      }
      if (!boxed) culprits.push(`${e.tagName.toLowerCase()}.${String(e.className).split(' ')[0]}`
                                + ` (right edge ${Math.round(right)} px): `
                                + (e.textContent || '').trim().slice(0, 50));
    }
  }
  const code = Array.from(document.querySelectorAll(
      'article div.highlight pre, article div.cell_output pre, article code'))
    .filter(e => e.getClientRects().length > 0)
    .map(e => ({size: parseFloat(getComputedStyle(e).fontSize), text: e.textContent.trim().slice(0, 40)}));
  return {vw, sw, culprits: culprits.slice(0, 5), code};
}"""


@pytest.fixture(scope="module")
def widths(site):
    """``{width: {page: measurements}}``, every page at every width (the build is ``site``'s)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    pages = [rel for rel in _pages()
             if not _REFRESH.search((HTML / rel).read_text(encoding="utf-8", errors="replace"))]
    results = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900},
                                              color_scheme="light", service_workers="block")
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                    (base,) + LOCAL_SCHEMES) else r.abort())
                results[width] = {}
                for rel in pages:
                    page = context.new_page()
                    try:
                        page.goto(base + rel, wait_until="load", timeout=30000)
                        results[width][rel] = page.evaluate(_JS_WIDTH)
                        if Path(rel).stem in WIDTH_SCREENSHOTS:
                            page.screenshot(path=str(SCREENSHOTS / f"{Path(rel).stem}_{width}.png"),
                                            full_page=True)
                    except Exception as exc:  # one broken page must not hide the others
                        results[width][rel] = {"error": str(exc)}
                    finally:
                        page.close()
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(widths, width):
    problems = []
    for rel, m in widths[width].items():
        if "error" in m:
            problems.append(f"{rel}: {m['error']}")
        elif m["sw"] > m["vw"] + 1:
            problems.append(f"{rel}: page is {m['sw']} px wide in a {m['vw']} px viewport; "
                            + "; ".join(m["culprits"]))
    _report(problems, f"pages that scroll sideways at {width} px")


@pytest.mark.parametrize("width", WIDTHS)
def test_code_and_outputs_stay_readable(widths, width):
    problems, measured = [], 0
    for rel, m in widths[width].items():
        for block in m.get("code", []):
            measured += 1
            if block["size"] < MIN_CODE_PX:
                problems.append(f"{rel}: code at {block['size']} px: {block['text']!r}")
    assert measured, "no code measured: the check reads nothing"
    _report(problems, f"code smaller than {MIN_CODE_PX} px at {width} px")


def test_width_check_sees_a_wide_page():
    """The sideways-scroll measurement catches a page made too wide (the check can fail)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 900})
        page.set_content("<article><pre style='overflow:visible;white-space:pre'>"
                         + "x" * 400 + "</pre><code>x</code></article>")
        m = page.evaluate(_JS_WIDTH)
        browser.close()
    assert m["sw"] > m["vw"] + 1 and m["culprits"], m
