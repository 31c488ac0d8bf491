"""The back office in a real browser (Debian's Chromium, driven by Selenium): the seed workflows
walked end to end through the console mounted in the Flask example (WSGI, /back-office) and the
Express example (/dashboard), each on SQLite and on PostgreSQL, with a forged cross-site post
and an XSS name. A screenshot of every page goes to target/screenshots/ (CI keeps them).

Run by scripts/test; alone: scripts/browser ensure && pytest tests/browser
(MEMBERKIT_TEST_POSTGRES adds the PostgreSQL runs).
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, List, Tuple

import pytest

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "target" / "screenshots"
XSS = '"><img src=x onerror="window.__xss=1">Eve'
POSTGRES = os.environ.get("MEMBERKIT_TEST_POSTGRES")
STORES = ["sqlite"] + (["postgres"] if POSTGRES else [])


def database(store: str, tmp: Path) -> str:
    if store == "sqlite":
        return str(tmp / "academy.db")
    joiner = "&" if "?" in (POSTGRES or "") else "?"
    return f"{POSTGRES}{joiner}options=-csearch_path%3Dmk_browser_{uuid.uuid4().hex},public"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def serve_flask(db: str) -> Tuple[str, str, Callable[[], None]]:
    sys.path.insert(0, str(ROOT / "examples" / "python"))
    from werkzeug.serving import make_server

    import console_flask

    server = make_server("127.0.0.1", 0, console_flask.create_app(db), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", "/back-office", server.shutdown


def serve_express(db: str) -> Tuple[str, str, Callable[[], None]]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "MEMBERKIT_DATABASE": db}
    process = subprocess.Popen(["node", str(ROOT / "examples" / "node" / "console_express.js")], env=env)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/")
    return base, "/dashboard", process.terminate


class Evil(http.server.BaseHTTPRequestHandler):
    """Another origin: a page whose form posts to the console (a forged request)."""

    target = ""

    def do_GET(self) -> None:
        page = (f'<form method="post" action="{self.target}"><input name="email" value="forged@evil.example">'
                '<button id="go">Win a prize</button></form>').encode()
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager download anything
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                 "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


class Walk:
    def __init__(self, driver: webdriver.Chrome, base: str, mount: str, name: str) -> None:
        self.driver, self.base, self.mount, self.name = driver, base, mount, name
        self.shot = 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def go(self, path: str) -> None:
        self.driver.get(self.base + path)

    def page(self, path: str) -> None:
        self.go(self.mount + path)

    def snap(self, what: str) -> None:
        self.shot += 1
        self.driver.save_screenshot(str(SHOTS / f"{self.name}-{self.shot:02d}-{what}.png"))
        assert self.unlabelled() == [], f"{what}: controls without a label"

    def unlabelled(self) -> List[str]:
        """The page's visible form controls that a screen reader could not name."""
        return list(self.driver.execute_script("""
            return [...document.querySelectorAll('input, select, textarea, button')]
              .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
              .filter(e => e.tagName === 'BUTTON'
                ? !e.textContent.trim() && !e.getAttribute('aria-label')
                : !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                  && !e.getAttribute('aria-labelledby'))
              .map(e => e.outerHTML.slice(0, 120));"""))

    def tab_to(self, name: str) -> WebElement:
        """Presses Tab until the focus is on the control named `name` (keyboard only)."""
        for _ in range(60):
            focused = self.driver.switch_to.active_element
            if focused.get_attribute("name") == name or focused.text.strip() == name:
                return focused
            focused.send_keys(Keys.TAB)
        raise AssertionError(f"Tab never reached {name}")

    def text(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def fill(self, name: str, value: str) -> None:
        field = self.driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)

    def click(self, element: WebElement) -> None:
        """Clicks something that loads a page, and waits for the new page."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(driver: Any) -> bool:
            try:
                old.tag_name  # noqa: B018 (asks the browser whether the old page is still there)
                return False
            except WebDriverException:  # stale, or Chrome's "does not belong to the document"
                return driver.execute_script("return document.readyState") == "complete"

        WebDriverWait(self.driver, 10).until(replaced)

    def press(self, label: str) -> None:
        self.click(self.driver.find_element(By.XPATH, f'//button[normalize-space()="{label}"]'))

    def follow(self, label: str) -> None:
        self.click(self.driver.find_element(By.LINK_TEXT, label))

    def tick(self, label: str) -> None:
        self.driver.find_element(By.XPATH, f'//label[contains(normalize-space(), "{label}")]/input').click()

    def flash(self) -> str:
        return str(self.driver.find_element(By.CSS_SELECTOR, ".mk-flash").text)


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("app", ["flask", "express"])
def test_the_seed_workflows_in_a_real_browser(browser: webdriver.Chrome, app: str, store: str, tmp_path: Path) -> None:
    base, mount, stop = (serve_flask if app == "flask" else serve_express)(database(store, tmp_path))
    walk = Walk(browser, base, mount, f"{app}-{store}")
    browser.delete_all_cookies()
    try:
        # Sign in through the host app: the console has no login of its own.
        walk.page("/customers")
        assert browser.current_url.endswith("/login"), "sent to the host's login page"
        walk.press("Sign in as the admin")
        assert browser.current_url.endswith(mount + "/customers")
        walk.snap("customers")
        assert "Grace Hopper" in walk.text()

        # 1. Add customer, with the keyboard only: products grouped by kind, paid only; an XSS
        #    name stays text.
        walk.follow("Add customer")
        walk.tab_to("name").send_keys(XSS)
        walk.tab_to("email").send_keys("eve@example.com")
        for _ in range(60):
            walk.tab_to("product")
            focused = browser.switch_to.active_element
            label = browser.execute_script("return arguments[0].labels[0].textContent", focused)
            if "Rust 101" in label:
                focused.send_keys(Keys.SPACE)
                break
            focused.send_keys(Keys.TAB)
        walk.snap("add-customer")
        walk.click(walk.tab_to("Add customer"))
        assert "eve@example.com" in walk.flash()
        assert XSS in walk.text(), "the name is shown as typed"
        assert browser.find_elements(By.CSS_SELECTOR, 'img[src="x"]') == []
        assert browser.execute_script("return window.__xss") is None
        walk.snap("customer-added")

        # 2. Edit access rights: add a product, then remove it after a confirmation.
        walk.page("/customers")
        walk.follow("Grace Hopper")
        Select(browser.find_element(By.NAME, "product")).select_by_visible_text("Async Rust")
        walk.press("Add access")
        assert "Access added" in walk.flash()
        walk.snap("access")
        row = browser.find_element(By.XPATH, '//tr[td[normalize-space()="Async Rust"]]')
        walk.click(row.find_element(By.LINK_TEXT, "Remove User from this Product"))
        walk.snap("confirm-remove")
        walk.press("Remove")
        assert "Access removed" in walk.flash()
        assert "Through All Access" in walk.text(), "what comes through the bundle stays"

        # 3. Import pasted lines with temporary passwords: preview, run, passwords once.
        walk.page("/import")
        walk.fill("text", "Lin, lin@example.com\nmax@example.com\nnot an email")
        browser.find_element(By.CSS_SELECTOR, 'input[name="mode"][value="temporary_password"]').click()
        walk.tick("Import the valid rows")
        walk.press("Preview")
        assert "2 created" in walk.text() and "1 invalid" in walk.text()
        walk.snap("import-preview")
        walk.click(browser.find_element(By.XPATH, '//button[starts-with(normalize-space(), "Import ")]'))
        passwords = browser.find_element(By.CSS_SELECTOR, "textarea[data-mk-download]").get_attribute("value") or ""
        assert "lin@example.com" in passwords and "max@example.com" in passwords
        assert "Download CSV" in walk.text(), "the script's download button"
        walk.snap("import-done")

        # 4. Invites: many emails with a role; Copy Invite Link; resend; revoke.
        walk.page("/invites")
        walk.fill("emails", "ivy@example.com\njon@example.com")
        Select(browser.find_element(By.NAME, "role")).select_by_visible_text("member")
        walk.press("Invite")
        assert "2 invites sent" in walk.flash()
        walk.snap("invites")
        row = browser.find_element(By.XPATH, '//tr[td[contains(., "ivy@example.com")]]')
        walk.click(row.find_element(By.XPATH, './/button[normalize-space()="Copy Invite Link"]'))
        link = browser.find_element(By.CSS_SELECTOR, "input[readonly], textarea[readonly]").get_attribute("value") or ""
        assert "/invite/?token=mki_" in link
        walk.snap("invite-link")
        walk.page("/invites")
        row = browser.find_element(By.XPATH, '//tr[td[contains(., "jon@example.com")]]')
        walk.click(row.find_element(By.XPATH, './/button[normalize-space()="Resend"]'))
        assert "jon@example.com" in walk.flash()
        row = browser.find_element(By.XPATH, '//tr[td[contains(., "jon@example.com")]]')
        walk.click(row.find_element(By.LINK_TEXT, "Revoke"))
        walk.press("Revoke")
        assert "revoked" in walk.flash()

        # 5. Client workspaces: create; Add Client User as a new invite, which the client
        # accepts from the invite link's landing page; then "From Existing Workspace".
        walk.page("/workspaces")
        walk.fill("name", "Acme")
        walk.press("Create workspace")
        walk.fill("email", "client@acme.example")
        walk.press("Invite")
        assert "client@acme.example was invited to Acme" in walk.flash()
        walk.snap("workspace-acme")
        walk.page("/invites")
        row = browser.find_element(By.XPATH, '//tr[td[contains(., "client@acme.example")]]')
        walk.click(row.find_element(By.XPATH, './/button[normalize-space()="Copy Invite Link"]'))
        link = browser.find_element(By.ID, "mk-invite-link").get_attribute("value") or ""
        # The client is someone else, in a browser where nobody is signed in.
        cookies = browser.get_cookies()
        browser.delete_all_cookies()
        browser.get(link if link.startswith("http") else base + link)
        assert "token" not in browser.current_url, "the token leaves the address bar"
        assert "invited you to Ada's Academy" in walk.text() and "in Acme" in walk.text()
        walk.snap("invite-landing")
        walk.press("Accept invite")
        assert "/signup" in browser.current_url and "client" in browser.current_url
        walk.snap("after-accept")
        browser.delete_all_cookies()
        for cookie in cookies:
            browser.add_cookie(cookie)
        walk.page("/workspaces")
        walk.fill("name", "Globex")
        walk.press("Create workspace")
        Select(browser.find_element(By.NAME, "member")).select_by_visible_text("client@acme.example (Acme)")
        walk.press("Add")
        assert "client@acme.example was added to Globex" in walk.flash()
        walk.snap("workspace-globex")

        # The other pages, for the record.
        for path, what in [("/team", "team"), ("/products", "products"), ("/audit", "audit"), ("/settings", "settings")]:
            walk.page(path)
            walk.snap(what)

        # A forged post from another origin: refused, nothing added.
        evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
        Evil.target = base + mount + "/customers"
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        browser.get(f"http://127.0.0.1:{evil.server_port}/")
        walk.click(browser.find_element(By.ID, "go"))
        assert "did not come from this site" in walk.text()
        walk.snap("forged-post")
        evil.shutdown()
        walk.page("/customers?q=forged")
        assert "forged@evil.example" not in walk.text()

        # Log in as a customer: the host keeps the token; its page says whose view this is.
        walk.page("/customers")
        walk.follow("Grace Hopper")
        walk.follow("Log in as this user")
        walk.fill("reason", "Support ticket 42")
        walk.snap("log-in-as")
        walk.press("Log in as this user")
        assert "Viewing the site as grace@example.com" in walk.text()
        assert "token" not in browser.current_url
    finally:
        stop()
