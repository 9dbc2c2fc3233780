"""The console in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, installed by ``scripts/install-browser.sh``) driven by Selenium against
a live server in a thread. Staff sign in, see the dashboard's charts drawn, refund a paid
order, confirm a bus-station pickup and sign out; the dashboard's screenshot is saved.

Never skipped under CI; elsewhere they skip, saying why, when Chromium is not installed.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.core.models import utcnow
from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment
from tests.admin.conftest import make_order, pickup_order
from tests.conftest import IN_CI
from tests.factories import DEFAULT_PASSWORD

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (requirements-dev.txt)"
)
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Debian's /usr/bin/chromium is a wrapper script; the driver wants the binary itself.
CHROMIUM = next(
    (path for path in (Path("/usr/lib/chromium/chromium"), Path("/usr/bin/chromium")) if path.exists()), None
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)
#: The canvas has drawn pixels (not only its blank, transparent bitmap).
CANVAS_HAS_INK = """
const canvas = arguments[0];
const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }
return false;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    if CHROMIUM is None or not CHROMEDRIVER.exists():
        reason = "Chromium or chromedriver is missing: run scripts/install-browser.sh (make install-dev)"
        if IN_CI:
            pytest.fail(f"CI must run the browser tests. {reason}")
        pytest.skip(reason)
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def live_server(app) -> Iterator[str]:
    """The test app served on a free loopback port by a thread; stopped after the module."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def console(browser, live_server, staff) -> Iterator[webdriver.Chrome]:
    """A browser signed in as staff, through the login page."""
    db.session.commit()  # everything the test created is visible to the server thread
    browser.delete_all_cookies()
    browser.get(f"{live_server}/admin/")
    assert "/admin/login/" in browser.current_url
    browser.find_element(By.ID, "email").send_keys(staff.email)
    browser.find_element(By.ID, "password").send_keys(DEFAULT_PASSWORD)
    browser.find_element(By.ID, "login-submit").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "dashboard-cards")))
    yield browser
    browser.delete_all_cookies()


def wait(driver, seconds: float = 15) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def flashed(driver) -> str:
    return " ".join(element.text for element in driver.find_elements(By.CSS_SELECTOR, ".alert"))


def reread(model, row_id):
    db.session.rollback()  # see what the server thread committed
    db.session.expire_all()
    return db.session.get(model, row_id)


def test_dashboard_charts_are_drawn(paid_payment, customer, console, live_server, tmp_path, request):
    # paid_payment first: the payments report is cached, and signing in renders the dashboard.
    for days_ago, total in ((3, 800_000), (9, 1_500_000), (20, 420_000)):
        make_order(customer, status="completed", total=total, created_at=utcnow() - timedelta(days=days_ago))
    db.session.commit()
    console.get(f"{live_server}/admin/")
    for chart in ("sales-chart", "payment-mix-chart"):
        canvas = wait(console).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, f"#{chart}[data-rendered='true']"))
        )
        assert console.execute_script(CANVAS_HAS_INK, canvas), f"{chart} is blank"
    assert "₦" in console.find_element(By.ID, "card-today").text
    assert "sandbox" in console.find_element(By.ID, "payments-by-gateway").text
    screenshot = tmp_path / "dashboard.png"
    assert console.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
    request.node.user_properties.append(("dashboard_screenshot", str(screenshot)))
    print(f"dashboard screenshot: {screenshot}")


def test_refund_a_paid_order(paid_payment, console, live_server):
    order, reference = paid_payment
    console.get(f"{live_server}/admin/orders/?search={order['number']}")
    console.find_element(By.CSS_SELECTOR, "a[title='View Record']").click()
    console.find_element(By.LINK_TEXT, reference).click()
    assert "₦" in console.find_element(By.ID, "refundable").text
    console.find_element(By.ID, "reason").send_keys("Customer returned the parcel")
    console.find_element(By.CSS_SELECTOR, "#payment-refund-form button[type=submit]").click()
    wait(console).until(lambda driver: "Refund" in flashed(driver))
    assert "succeeded" in flashed(console)
    payment = db.session.scalar(db.select(Payment).where(Payment.reference == reference))
    assert reread(Payment, payment.id).status == "refunded"
    assert reread(Order, payment.order_id).status == "refunded"


def test_confirm_a_pickup_then_log_out(console, live_server, customer):
    order, code = pickup_order(customer)
    db.session.commit()
    console.get(f"{live_server}/admin/orders/details/?id={order.id}")
    console.find_element(By.ID, "code").send_keys(code)
    console.find_element(By.CSS_SELECTOR, "#order-collect-form button[type=submit]").click()
    wait(console).until(lambda driver: "collected" in flashed(driver))
    assert reread(Order, order.id).status == "collected"
    console.find_element(By.ID, "console-logout").click()
    wait(console).until(ec.presence_of_element_located((By.ID, "login-form")))
    console.get(f"{live_server}/admin/orders/")
    assert "/admin/login/" in console.current_url


def test_browser_tests_run_in_ci():
    """Guards the skip above: CI sets CI=true, and then Chromium must be there."""
    if IN_CI:
        assert CHROMIUM is not None
        assert CHROMEDRIVER.exists()
        assert os.access(CHROMEDRIVER, os.X_OK)
