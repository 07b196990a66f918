"""The dashboard in a real browser: Debian's Chromium, headless, driven by selenium through
chromedriver, against a real `corgi serve` (embedded SQLite, the GitHub double as its forge) and a
real OpenID provider (oidc-provider-mock). People sign in through the provider's own form.

Every page a test opens is checked the same way (`Browser.open`): no console error and no
Content-Security-Policy violation reported by the browser, axe-core's accessibility rules pass,
the page with its assets weighs under 300 KB, and nothing of a secret the reviews found is on it.

Screenshots of each main page are written to a temporary folder, or to docs/screenshots with
CORGI_UPDATE_SCREENSHOTS=1 (how the committed ones were made).
"""
import json
import os
import pathlib
import shutil
import urllib.parse
import warnings

import pytest

with warnings.catch_warnings():
    import authlib.deprecate  # noqa: F401
    warnings.simplefilter("ignore", DeprecationWarning)
    from oidc_provider_mock import run_server_in_thread  # noqa: F401  (the provider of test_sign_in)

from corgi_service import ROOT
from test_api import pull_request_event
from test_serve_e2e import FIRST_DIFF, GITHUB_TOKEN, STRIPE_KEY, completed_runs, new_file
from test_sign_in import CSRF, SESSION, SignInService, call, provider_running

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib")

REPO, REPO_ID, PR = "acme/api", 777001, 12
SHA1 = "1111111111111111111111111111111111111111"
SHA2 = "2222222222222222222222222222222222222222"
SHA3 = "3333333333333333333333333333333333333333"
# The next push keeps the Stripe key (dismissed: it must stay dismissed) and adds a pickle call.
SECOND_DIFF = new_file("app/settings.py", [
    "import os",
    f'GITHUB_TOKEN = "{GITHUB_TOKEN}"',
    f'STRIPE_KEY = "{STRIPE_KEY}"',
    "import yaml",
    "def load(s):",
    "    return yaml.load(s)",
    "import pickle",
    "def restore(b):",
    "    return pickle.loads(b)",
]) + new_file("app/users.py", [
    "from flask import request",
    "",
    "def find():",
    '    name = request.args.get("name")',
    "    query = \"SELECT * FROM users WHERE name = '\" + name + \"'\"",
    "    cursor.execute(query)",
])
SECRETS = [GITHUB_TOKEN, STRIPE_KEY]
PAGE_WEIGHT_LIMIT = 300 * 1024
SHOTS = ROOT / "docs" / "screenshots"


def chromium_paths() -> tuple[str | None, str | None]:
    return shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def tools():
    """selenium, axe-core and Debian's Chromium: missing ones fail the suite where CI requires them."""
    browser, driver = chromium_paths()
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path]
    try:
        import selenium  # noqa: F401
        from axe_selenium_python import Axe  # noqa: F401
    except ImportError as error:
        missing.append(str(error))
    if missing:
        if os.environ.get("CORGI_REQUIRE_SERVERS") == "1":
            pytest.fail(f"the dashboard's browser tests need {missing} (scripts/setup installs them)")
        pytest.skip(f"no browser here: {missing}")
    return browser, driver


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> pathlib.Path:
    if os.environ.get("CORGI_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        return SHOTS
    return tmp_path_factory.mktemp("screenshots")


class Env:
    """The service signed into through the provider, with one reviewed pull request in acme."""

    def __init__(self, workdir: pathlib.Path, github, provider):
        self.github = github
        self.provider = provider
        self.sign = SignInService(workdir, github, provider)
        self.service = self.sign.service

    def review(self, action: str, sha: str, diff: str):
        self.github.set_pull(REPO, PR, sha, "main", diff)
        status, body = self.service.deliver("pull_request", pull_request_event(action, REPO, REPO_ID, PR, sha, 1))
        assert (status, body.get("status")) == (202, "queued"), body
        self.github.wait_for(lambda d: completed_runs(d, sha))
        self.service.wait_idle()

    def api_get(self, path: str, key: str) -> tuple[int, dict]:
        answer = call("GET", self.service.url + path, headers={"Authorization": f"Bearer {key}"})
        return answer.status, (answer.json() if answer.body else {})


@pytest.fixture(scope="module")
def env(tools, tmp_path_factory, github_double):
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    with provider_running() as provider:
        # Dave audits: his group maps to the auditor role.
        provider.set_claims("dave", {"email": "dave@acme.example", "groups": ["auditors"]})
        environment = Env(tmp_path_factory.mktemp("dashboard"), github_double, provider)
        github_double.add_installation(1, "acme", repos=[REPO])
        with environment.sign:
            environment.review("opened", SHA1, FIRST_DIFF)
            yield environment


class Browser:
    """One person's Chromium (its own profile, so its own cookies)."""

    def __init__(self, tools, env: Env, shots: pathlib.Path, *, width: int = 1280):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        browser, driver = tools
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},1000",
                         "--lang=en-GB", "--force-prefers-reduced-motion"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(driver))
        self.env = env
        self.shots = shots
        self.base = env.service.url

    def close(self):
        self.driver.quit()

    # What every page must be -----------------------------------------------------------------------

    def console_problems(self) -> list[str]:
        """Console errors and CSP reports since the last call (the log is read once). The identity
        provider's own page is not ours: what it logs (it asks a CDN for its stylesheet, which is
        unreachable here) is left out by its address."""
        return [e["message"] for e in self.driver.get_log("browser")
                if (e["level"] == "SEVERE" or "Content Security Policy" in e["message"] or "Content-Security-Policy" in e["message"])
                and not e["message"].startswith(("https://cdn.", self.env.provider.issuer))]

    def check_page(self, name: str | None = None, *, refused: int | None = None):
        """`refused`: the page is the answer's refusal with this status (which the browser logs)."""
        from axe_selenium_python import Axe

        source = self.driver.page_source
        for secret in SECRETS:
            assert secret not in source, f"a secret is on {self.driver.current_url}"
        expected = [f"{self.driver.current_url} - Failed to load resource: the server responded with a status of {refused}"] if refused else []
        problems = self.console_problems()
        assert [p for p in problems if not any(p.startswith(e) for e in expected)] == [], (self.driver.current_url, problems)
        assert len(problems) == len(expected), (self.driver.current_url, problems)
        if name:
            self.screenshot(name)
        axe = Axe(self.driver)
        axe.inject()
        violations = axe.run()["violations"]
        assert violations == [], (self.driver.current_url, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations])
        weight = self.driver.execute_script(
            "var n = performance.getEntriesByType('navigation')[0];"
            "return (n ? n.decodedBodySize : document.documentElement.outerHTML.length)"
            " + performance.getEntriesByType('resource').reduce(function (s, r) { return s + r.decodedBodySize; }, 0);")
        assert 0 < weight < PAGE_WEIGHT_LIMIT, (self.driver.current_url, weight)

    def screenshot(self, name: str):
        """The whole page from its top (the window grows to the page's height, up to 2,400 px)."""
        size = self.driver.get_window_size()
        self.driver.execute_script("window.scrollTo(0, 0);")
        height = min(2400, self.driver.execute_script("return document.documentElement.scrollHeight;"))
        self.driver.set_window_size(size["width"], max(size["height"], height + 140))
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))
        self.driver.set_window_size(size["width"], size["height"])

    def open(self, path: str, name: str | None = None, *, refused: int | None = None):
        self.driver.get(self.base + path)
        self.check_page(name, refused=refused)

    def sign_in(self, sub: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.get(self.base + "/")
        assert self.driver.current_url == self.base + "/sign-in"
        self.check_page()
        self.follow(self.driver.find_element(By.LINK_TEXT, "Sign in with single sign-on (OpenID Connect)"))
        # The provider's own authorization form: who approves.
        assert self.driver.current_url.startswith(self.env.provider.issuer), self.driver.current_url
        field = self.driver.find_element(By.NAME, "sub")
        field.clear()
        field.send_keys(sub)
        field.submit()
        # The provider redirects to the callback, which redirects home: wait for the navigation.
        WebDriverWait(self.driver, 30).until(lambda d: d.current_url.startswith(self.base))
        assert self.driver.current_url == self.base + "/", self.driver.current_url
        self.check_page()

    def follow(self, element):
        """Clicks a link or a form's button and waits until the next page replaced this one and
        finished loading. The old page is marked in its own document, which the next one lacks;
        element staleness is not used, as chromedriver may answer a check of an element of a
        document being replaced with an inspector error instead of a stale reference."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.execute_script("document.corgiLeaving = true;")
        element.click()

        def replaced(driver) -> bool:
            try:
                return driver.execute_script("return !document.corgiLeaving && document.readyState === 'complete';")
            except WebDriverException:
                return False  # between two documents

        WebDriverWait(self.driver, 30, poll_frequency=0.1).until(replaced)

    # Reading pages -----------------------------------------------------------------------------------

    def text(self) -> str:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.TAG_NAME, "main").text

    def nav(self) -> list[str]:
        from selenium.webdriver.common.by import By

        return [a.text for a in self.driver.find_elements(By.CSS_SELECTOR, "header nav a")]

    def cookie(self, name: str) -> str:
        return self.driver.get_cookie(name)["value"]

    def dismiss(self, reason: str, comment: str):
        """Dismisses the finding whose page is open through its form, as a person would."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        Select(self.driver.find_element(By.NAME, "reason")).select_by_value(reason)
        self.driver.find_element(By.NAME, "comment").send_keys(comment)
        self.follow(self.driver.find_element(By.XPATH, "//button[text()='Dismiss']"))
        self.check_page()

    def post(self, path: str, form: dict, *, csrf: bool = True, headers: dict | None = None):
        """A form post with this browser's cookies, from outside the browser (an attacker's or a
        curious member's request); returns the answer without following redirects."""
        cookies = f"{SESSION}={self.cookie(SESSION)}; {CSRF}={self.cookie(CSRF)}"
        body = dict(form)
        if csrf:
            body["csrf"] = self.cookie(CSRF)
        return call("POST", self.base + path, body=urllib.parse.urlencode(body, doseq=True),
                    headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


@pytest.fixture
def browsers(tools, env, shots):
    opened: list[Browser] = []

    def make(sub: str, **options) -> Browser:
        browser = Browser(tools, env, shots, **options)
        opened.append(browser)
        browser.sign_in(sub)
        return browser

    yield make
    for browser in opened:
        browser.close()


def findings_of(env: Env) -> dict[str, dict]:
    """The pull request's findings by rule, read from the database (ground truth beside the pages)."""
    import sqlite3

    with sqlite3.connect(pathlib.Path(env.service.database).resolve().as_uri() + "?mode=ro", uri=True) as db:
        rows = db.execute("SELECT id, rule_id, status FROM findings").fetchall()
    return {rule: {"id": id, "state": state} for id, rule, state in rows}


# ------------------------------------------------------------------------------------------------


def test_an_owner_reviews_a_pull_request_triages_it_and_the_dismissal_holds_at_the_next_review(env, browsers):
    from selenium.webdriver.common.by import By

    alice = browsers("alice")
    assert alice.nav() == ["Overview", "Repositories", "Pull requests", "Findings", "Approvals", "Policy", "Members", "API keys", "Audit log",
                           "Settings", "Sessions"]
    alice.check_page("overview")
    overview = alice.text()
    assert "Open findings by severity" in overview and "New and fixed findings per week" in overview
    assert alice.driver.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar-new"), "the trend chart is drawn"

    alice.open("/repositories", "repositories")
    assert REPO in alice.text()
    alice.open("/pull-requests", "pull-requests")
    alice.follow(alice.driver.find_element(By.LINK_TEXT, f"{REPO}#{PR}"))
    alice.check_page("pull-request")
    page = alice.text()
    for rule in ("github-pat-classic", "stripe-live-secret-key", "python-yaml-unsafe-load"):
        assert rule in page, rule
    # Times are shown in the reader's zone by the page's script (the attribute keeps ISO 8601).
    stamp = alice.driver.find_element(By.CSS_SELECTOR, "main time")
    assert stamp.text and stamp.text != stamp.get_attribute("datetime")

    stripe = findings_of(env)["stripe-live-secret-key"]["id"]
    alice.open(f"/findings/{stripe}", "finding")
    assert "Evidence (redacted)" in alice.text() and "CWE-798" in alice.text()
    alice.dismiss("used_in_tests", "fixture credentials of the test suite")
    assert "Dismissed: later reviews" in alice.text()
    assert findings_of(env)["stripe-live-secret-key"]["state"] == "dismissed"
    history = alice.text()
    assert "finding.dismissed by alice" in history and "reason: used in tests" in history
    assert "Dismissed by alice" in history and "fixture credentials of the test suite" in history

    # The next push keeps the key: the new review leaves it dismissed, and the page shows the
    # pickle call it found — refreshed in place, without a reload.
    alice.driver.get(alice.base + f"/pull-requests/acme/api/{PR}")
    alice.driver.execute_script("window.corgiMarker = 'still this page';")
    env.review("synchronize", SHA2, SECOND_DIFF)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(alice.driver, 60, poll_frequency=0.5).until(lambda d: "python-pickle-load" in d.find_element(By.TAG_NAME, "main").text)
    assert alice.driver.execute_script("return window.corgiMarker;") == "still this page"
    assert findings_of(env)["stripe-live-secret-key"]["state"] == "dismissed"
    alice.open("/findings?state=open", "findings")
    assert "stripe-live-secret-key" not in alice.text() and "python-pickle-load" in alice.text()
    # A dataflow finding shows its path: where the request's value enters, where it arrives.
    sql = findings_of(env)["python-dataflow-sql"]["id"]
    alice.open(f"/findings/{sql}", "finding-dataflow")
    path = alice.driver.find_element(By.CSS_SELECTOR, "ol.flow").text
    assert "app/users.py:4 source: Flask" in path and "app/users.py:6 sink: SQL query" in path and "without a parameterised query" in path, path


def test_a_review_in_progress_shows_as_such_and_the_page_updates_itself_when_it_ends(env, browsers):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    alice = browsers("alice")
    # The forge is down for the pull request's diff: the review has begun and waits to retry.
    env.github.fail_next("GET", rf"^/repos/{REPO}/pulls/{PR}$", 503, times=1000)
    env.github.set_pull(REPO, PR, SHA3, "main", SECOND_DIFF + new_file("app/more.py", ["import os", "os.system(input())"]))
    status, body = env.service.deliver("pull_request", pull_request_event("synchronize", REPO, REPO_ID, PR, SHA3, 1))
    assert status == 202, body
    env.github.wait_for(lambda d: d.calls("GET", rf"^/repos/{REPO}/pulls/{PR}$"))
    alice.open(f"/pull-requests/acme/api/{PR}")
    assert "A review of this pull request is in progress" in alice.text()
    alice.open(f"/pull-requests?repository={REPO}")
    assert "review in progress" in alice.text()
    # The forge is back: the retry completes the review, and the open page shows it by itself.
    alice.open(f"/pull-requests/acme/api/{PR}")
    env.github.clear_faults()
    WebDriverWait(alice.driver, 90, poll_frequency=0.5).until(
        lambda d: "in progress" not in d.find_element(By.TAG_NAME, "main").text and "app/more.py" in d.find_element(By.TAG_NAME, "main").text)
    env.github.wait_for(lambda d: completed_runs(d, SHA3))
    env.service.wait_idle()
    assert alice.console_problems() == []


def test_bulk_triage_dismisses_every_checked_finding_through_the_api(env, browsers):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    erin = browsers("erin")  # security and developers: the highest mapped role, owner
    erin.open("/findings?state=open&rule=python-yaml-unsafe-load")
    erin.driver.find_element(By.CSS_SELECTOR, "input.select-all").click()
    boxes = erin.driver.find_elements(By.CSS_SELECTOR, "input[name=id]")
    assert boxes and all(box.is_selected() for box in boxes)
    Select(erin.driver.find_element(By.NAME, "reason")).select_by_value("accepted_risk")
    erin.follow(erin.driver.find_element(By.XPATH, "//button[text()='Dismiss selected']"))
    erin.check_page()
    assert findings_of(env)["python-yaml-unsafe-load"]["state"] == "dismissed"
    audit = call("GET", env.service.url + "/api/v1/orgs/github/acme/audit-events?action=finding.dismissed",
                 headers={"Cookie": f"{SESSION}={erin.cookie(SESSION)}"}).json()["items"]
    assert any(row["actor"].endswith("/erin") and row["metadata"]["reason"] == "accepted_risk" for row in audit)


def test_an_owner_creates_a_key_sees_it_once_and_revokes_it(env, browsers):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    alice = browsers("alice")
    alice.open("/api-keys", "api-keys")
    alice.driver.find_element(By.NAME, "name").send_keys("ci pipeline")
    Select(alice.driver.find_element(By.NAME, "role")).select_by_value("member")
    alice.follow(alice.driver.find_element(By.XPATH, "//button[text()='Create the key']"))
    alice.check_page()
    key = alice.driver.find_element(By.ID, "new-key").get_attribute("value")
    assert key.startswith("corgi_")
    status, me = env.api_get("/api/v1/me", key)
    assert status == 200 and me["role"] == "member"
    # Shown once: the list shows its prefix only.
    alice.open("/api-keys")
    assert key not in alice.driver.page_source and "ci pipeline" in alice.text()
    alice.follow(alice.driver.find_element(By.CSS_SELECTOR, "button[aria-label='Revoke the key ci pipeline']"))
    alice.check_page()
    assert "The key was revoked" in alice.text()
    assert env.api_get("/api/v1/me", key)[0] == 401


def test_a_policy_change_is_in_the_audit_log_and_the_chain_verifies(env, browsers):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    alice = browsers("alice")
    alice.open("/policy", "policy")
    Select(alice.driver.find_element(By.NAME, "fail_on")).select_by_value("medium")
    alice.driver.find_element(By.NAME, "ignore_paths").send_keys("vendor/**")
    alice.follow(alice.driver.find_element(By.XPATH, "//button[text()='Save the policy']"))
    alice.check_page()
    assert "The policy was saved" in alice.text()
    policy = call("GET", env.service.url + "/api/v1/orgs/github/acme/policy", headers={"Cookie": f"{SESSION}={alice.cookie(SESSION)}"}).json()
    assert policy["fail_on"] == "medium" and policy["ignore_paths"] == ["vendor/**"]

    alice.open("/audit?action=organisation.policy_changed", "audit")
    assert "organisation.policy_changed" in alice.text() and "alice" in alice.text()
    alice.follow(alice.driver.find_element(By.XPATH, "//button[text()='Verify the chain']"))
    alice.check_page("audit-verified")
    assert "The chain is intact" in alice.text()

    alice.open("/members", "members")
    assert "alice" in alice.text() and "owner" in alice.text()
    alice.open("/settings", "settings")
    assert "Retention and residency" in alice.text() and "single sign-on (OpenID Connect)" in alice.text()
    alice.open("/sessions", "sessions")
    assert "(this browser)" in alice.text()


def test_an_auditor_cannot_see_members_and_a_member_cannot_change_the_policy(env, browsers):
    from selenium.webdriver.common.by import By

    dave = browsers("dave")
    assert "Members" not in dave.nav() and "Audit log" in dave.nav() and "API keys" not in dave.nav()
    dave.open("/members", refused=403)
    assert dave.driver.find_element(By.TAG_NAME, "h1").text == "Not allowed"
    assert call("GET", env.service.url + "/api/v1/orgs/github/acme/members",
                headers={"Cookie": f"{SESSION}={dave.cookie(SESSION)}"}).status == 403

    bob = browsers("bob")
    assert "Members" not in bob.nav() and "Audit log" not in bob.nav()
    bob.open("/policy")
    assert not bob.driver.find_elements(By.CSS_SELECTOR, "form.policy"), "the form is not offered to a member"
    assert "Only owners and admins change the policy" in bob.text()
    before = call("GET", env.service.url + "/api/v1/orgs/github/acme/policy", headers={"Cookie": f"{SESSION}={bob.cookie(SESSION)}"}).json()
    answer = bob.post("/policy", {"fail_on": "never", "four_eyes": "on"})
    assert answer.status == 403 and b"policy:write" in answer.body
    after = call("GET", env.service.url + "/api/v1/orgs/github/acme/policy", headers={"Cookie": f"{SESSION}={bob.cookie(SESSION)}"}).json()
    assert after == before


def test_forms_refuse_other_sites_and_missing_tokens_and_pages_carry_a_strict_policy(env, browsers):
    alice = browsers("alice")
    page = call("GET", env.service.url + "/findings", headers={"Cookie": f"{SESSION}={alice.cookie(SESSION)}"})
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "form-action 'self'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Cache-Control"] == "no-store"

    before = findings_of(env)
    open_ids = [str(f["id"]) for f in before.values() if f["state"] == "open"]
    assert open_ids
    # Another site's form: refused before anything is read.
    foreign = alice.post("/findings/dismissals", {"id": open_ids, "reason": "false_positive"}, headers={"Origin": "http://evil.example"})
    assert foreign.status == 403
    fetched = alice.post("/findings/dismissals", {"id": open_ids, "reason": "false_positive"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status == 403
    # The session cookie without the form's token: the API refuses it.
    tokenless = alice.post("/findings/dismissals", {"id": open_ids, "reason": "false_positive"}, csrf=False)
    assert tokenless.status == 403
    forged = alice.post("/findings/dismissals", {"id": open_ids, "reason": "false_positive", "csrf": "forged"}, csrf=False)
    assert forged.status == 403
    assert findings_of(env) == before
    # A way back elsewhere is never followed.
    redirected = alice.post("/findings/dismissals", {"id": open_ids[:1], "reason": "false_positive", "back": "//evil.example/x"})
    assert redirected.status == 303 and redirected.location.startswith("/findings?")


def test_the_pages_work_by_keyboard_on_a_phone_and_in_dark_mode(env, tools, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    phone = Browser(tools, env, shots, width=390)
    try:
        phone.sign_in("alice")
        for path in ("/", "/findings", f"/pull-requests/acme/api/{PR}", "/audit"):
            phone.open(path)
            overflow = phone.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
            assert overflow <= 0, (path, overflow)
        phone.open("/", "overview-phone")
        # The first Tab reaches the skip link; following it moves the focus to the content.
        phone.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        active = phone.driver.switch_to.active_element
        assert active.text == "Skip to content"
        active.send_keys(Keys.ENTER)
        assert phone.driver.switch_to.active_element.get_attribute("id") == "main"
        # Dark mode follows the system.
        light = phone.driver.execute_script("return getComputedStyle(document.body).backgroundColor;")
        phone.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        dark = phone.driver.execute_script("return getComputedStyle(document.body).backgroundColor;")
        assert light != dark
        phone.driver.set_window_size(1280, 1000)
        # The dark theme passes the same checks (axe's contrast rule among them).
        for path in ("/findings", f"/pull-requests/acme/api/{PR}", "/policy"):
            phone.open(path)
        phone.open("/", "overview-dark")
    finally:
        phone.close()


def test_with_four_eyes_a_members_dismissal_waits_for_someone_else_to_approve_it(env, browsers):
    from selenium.webdriver.common.by import By

    alice, bob = browsers("alice"), browsers("bob")
    org = env.service.url + "/api/v1/orgs/github/acme"
    before = call("GET", org + "/policy", headers={"Cookie": f"{SESSION}={alice.cookie(SESSION)}"}).json()
    alice.open("/policy")
    four_eyes = alice.driver.find_element(By.NAME, "four_eyes")
    if not four_eyes.is_selected():
        four_eyes.click()
    alice.follow(alice.driver.find_element(By.XPATH, "//button[text()='Save the policy']"))
    alice.check_page()
    try:
        pickle = findings_of(env)["python-pickle-load"]
        assert pickle["state"] == "open"
        bob.open(f"/findings/{pickle['id']}")
        bob.dismiss("false_positive", "the input is signed")
        assert "waits for a second person's approval" in bob.text()
        assert findings_of(env)["python-pickle-load"]["state"] == "open"
        # The requester may withdraw it, never approve it.
        bob.open("/dismissal-requests")
        assert not bob.driver.find_elements(By.XPATH, "//button[text()='Approve']")
        assert bob.driver.find_elements(By.XPATH, "//button[text()='Withdraw']")
        alice.open("/dismissal-requests", "approvals")
        assert "the input is signed" in alice.text()
        alice.follow(alice.driver.find_element(By.XPATH, "//button[text()='Approve']"))
        alice.check_page()
        assert "Approved: the finding is dismissed" in alice.text()
        assert findings_of(env)["python-pickle-load"]["state"] == "dismissed"
    finally:
        answer = call("PUT", org + "/policy", body=json.dumps(before),
                      headers={"Cookie": f"{SESSION}={alice.cookie(SESSION)}; {CSRF}={alice.cookie(CSRF)}", "X-CSRF-Token": alice.cookie(CSRF),
                               "Content-Type": "application/json"})
        assert answer.status == 200, answer


def test_without_a_session_every_page_sends_people_to_sign_in(env):
    for path in ("/", "/findings", "/policy", "/members", "/api-keys", "/audit"):
        answer = call("GET", env.service.url + path)
        assert answer.status == 303 and answer.location == "/sign-in", (path, answer)
    sign_in = call("GET", env.service.url + "/sign-in")
    assert sign_in.status == 200 and b"/auth/oidc/login" in sign_in.body
    assert "frame-ancestors 'none'" in sign_in.headers["Content-Security-Policy"]
    # A made-up or expired session is no session.
    forged = call("GET", env.service.url + "/findings", headers={"Cookie": f"{SESSION}=eyJhbGciOiJIUzI1NiJ9.e30.forged"})
    assert forged.status == 303 and forged.location == "/sign-in"
    assert json.loads(call("GET", env.service.url + "/api/v1/openapi.json").body)["paths"]
