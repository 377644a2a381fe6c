#!/usr/bin/env python3
"""The learning team's console in a real browser: headless Chromium driven by Selenium.

Starts `flowlearn serve` on loopback with the console and Microsoft Teams on, puts real traffic
into its store through signed Teams messages (unanswered questions, an answer and a vote, a quiz),
then, as a person would in a browser: opens the console, is refused with a wrong password, signs
in, reads every page (checking the counts and texts the traffic left), marks a gap cluster done,
downloads a CSV, asks "Try it", and signs out. A screenshot of each page goes to
.build/console-screenshots/ for a person to look at. Everything it starts is stopped at the end.

    scripts/console-browser-test.py --flowlearn .build/debug/flowlearn
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from e2e_support import free_port, logger, wait_until

log = logger("console-browser")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "a long test passphrase"
TEAMS_TOKEN = base64.b64encode(b"console browser test token").decode()


class Teams:
    """Signed Teams outgoing-webhook messages, as Teams sends them."""

    def __init__(self, base):
        self.base = base
        self.count = 0

    def say(self, user, text):
        self.count += 1
        body = json.dumps({
            "type": "message", "id": f"browser-test-{self.count}", "timestamp": "2026-12-01T10:00:00.000Z", "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/emea/", "from": {"id": "29:" + user, "name": user, "aadObjectId": user},
            "conversation": {"isGroup": True, "id": "19:console@thread.tacv2", "conversationType": "channel"},
            "textFormat": "plain", "text": f"<at>FlowLearn</at> {text}",
            "entities": [{"type": "mention", "mentioned": {"id": "28:flowlearn", "name": "FlowLearn"}, "text": "<at>FlowLearn</at>"}],
        }).encode()
        digest = hmac.new(base64.b64decode(TEAMS_TOKEN), body, hashlib.sha256).digest()
        request = urllib.request.Request(self.base + "/teams/messages", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": "HMAC " + base64.b64encode(digest).decode()})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200, response.status
            return json.loads(response.read()).get("text", "")


def seed(teams):
    """Traffic whose traces the pages must show."""
    for user, text in [("ana", "where can I park my car at the office"), ("ben", "is there parking at the office"),
                       ("cem", "office parking for visitors")]:
        reply = teams.say(user, text)
        assert "don't have a nugget" in reply or "don't know" in reply.lower() or "nugget" in reply, reply
    teams.say("dia", "does the cafeteria serve vegan lunch on fridays")
    answer = teams.say("eva", "Can I expense a taxi home after working late?")
    assert "taxi" in answer.lower(), answer
    teams.say("eva", "+1")
    # A quiz on expenses: three questions answered by number.
    reply = teams.say("fay", "quiz expenses-travel")
    answered = 0
    for _ in range(10):
        if "1." not in reply and "1)" not in reply and "True" not in reply:
            break
        reply = teams.say("fay", "1")
        answered += 1
    assert answered >= 1, reply
    return answered


def browser(downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                     "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flowlearn", required=True)
    args = parser.parse_args()
    os.environ["SE_OFFLINE"] = "true"  # Selenium must not look for drivers on the network
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.ui import WebDriverWait

    shots = os.path.join(ROOT, ".build", "console-screenshots")
    shutil.rmtree(shots, ignore_errors=True)
    os.makedirs(shots)
    work = tempfile.mkdtemp(prefix="flowlearn-console-")
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    server = driver = None
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        encoder = os.path.join(ROOT, ".build-model", "all-MiniLM-L6-v2")
        config = {
            "server": {"port": port},
            "content": {"intents": os.path.join(ROOT, "Intents"), "encoder": encoder if os.path.isdir(encoder) else ""},
            "store": {"path": os.path.join(work, "flowlearn.sqlite")},
            "teams": {"enabled": True},
            "console": {"usersFile": "console-users"},
        }
        config_path = os.path.join(work, "config.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        subprocess.run([args.flowlearn, "console", "add-user", "alice", "--config", config_path, "--password-stdin"],
                       input=PASSWORD + "\n", text=True, check=True, timeout=60)
        environment = dict(os.environ, TEAMS_SECURITY_TOKEN=TEAMS_TOKEN, FLOWLEARN_CONSOLE_SESSION_KEY="browser test session key")
        server_log = open(os.path.join(work, "serve.log"), "w")
        server = subprocess.Popen([args.flowlearn, "serve", "--config", config_path], stdout=server_log, stderr=subprocess.STDOUT,
                                  env=environment)
        wait_until("flowlearn /healthz", lambda: urllib.request.urlopen(base + "/healthz", timeout=2).status == 200, 120)
        log("server up; sending Teams traffic")
        quiz_answers = seed(Teams(base))
        log(f"traffic sent ({quiz_answers} quiz answers); starting Chromium")

        driver = browser(downloads)

        def shot(name):
            driver.save_screenshot(os.path.join(shots, f"{name}.png"))

        def click(locator):
            """Clicks what leads to another page and waits until that page replaced this one."""
            old = driver.find_element(By.TAG_NAME, "html")
            (locator if not isinstance(locator, tuple) else driver.find_element(*locator)).click()
            WebDriverWait(driver, 20).until(staleness_of(old))

        def text():
            return driver.find_element(By.TAG_NAME, "body").text

        def sign_in(password):
            driver.find_element(By.ID, "name").clear()
            driver.find_element(By.ID, "name").send_keys("alice")
            driver.find_element(By.ID, "password").send_keys(password)
            click((By.ID, "sign-in"))

        driver.get(base + "/console")
        assert driver.current_url.endswith("/console/login"), driver.current_url
        shot("1-sign-in")
        sign_in("not the password")
        assert "Wrong name or password" in text(), text()
        assert driver.current_url.endswith("/console/login")
        sign_in(PASSWORD)
        assert driver.current_url.endswith("/console/gaps"), driver.current_url
        log("signed in")

        page = text()
        assert "3 question(s) from 3 people" in page, page
        assert "is there parking at the office" in page and "vegan lunch" in page, page
        shot("2-gaps")
        driver.set_window_size(390, 844)  # a phone
        shot("2-gaps-phone")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390, "the page fits a phone's width"
        driver.set_window_size(1280, 1000)
        parking = next(s for s in driver.find_elements(By.CSS_SELECTOR, "section.cluster") if "parking" in s.text)
        click(parking.find_element(By.CSS_SELECTOR, "button[value=done]"))
        page = text()
        assert "Saved." in page and "is there parking at the office" not in page and "vegan lunch" in page, page
        log("parking cluster marked done")

        driver.find_element(By.ID, "gaps-csv").click()
        csv_path = wait_until("the CSV download", lambda: next(
            (os.path.join(downloads, f) for f in os.listdir(downloads) if f.endswith(".csv")), None), 30)
        with open(csv_path, encoding="utf-8") as f:
            csv = f.read()
        assert csv.startswith("key,status,questions,people,"), csv[:200]
        assert "vegan lunch" in csv and "parking" not in csv, csv
        log(f"CSV downloaded: {os.path.basename(csv_path)}")

        click((By.LINK_TEXT, "Nuggets"))
        row = driver.find_element(By.XPATH, "//table[@id='nuggets']//tr[.//span[text()='expenses-taxi-rideshare']]")
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert cells[3] == "1" and cells[5] == "1" and cells[6] == "0", cells  # served, helpful, not helpful
        shot("3-nuggets")

        click((By.LINK_TEXT, "Quizzes"))
        row = driver.find_element(By.XPATH, "//table[@id='topics']//tr[td[1][text()='expenses-travel']]")
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert int(cells[2]) == quiz_answers, (cells, quiz_answers)  # one first answer per question answered
        shot("4-quizzes")

        click((By.LINK_TEXT, "People"))
        row = driver.find_element(By.XPATH, "//table[@id='platforms']//tr[td[1][text()='teams']]")
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert cells[1] == "5" and cells[2] == "1", cells  # five people asked, one took the quiz
        assert "eva" not in text(), "names are hidden by default"
        shot("5-people")

        click((By.LINK_TEXT, "Try it"))
        driver.find_element(By.ID, "q").send_keys("can I get a cab home paid after a late night at work")
        click((By.ID, "try"))
        page = text()
        assert "Decision: answer" in page and "expenses-taxi-rideshare" in page, page
        shot("6-try-it")
        log("every page checked")

        click((By.ID, "logout"))
        assert driver.current_url.endswith("/console/login?notice=signed-out") and "Signed out." in text(), driver.current_url
        driver.get(base + "/console/nuggets")
        assert driver.current_url.endswith("/console/login"), driver.current_url
        log(f"signed out; screenshots in {os.path.relpath(shots, ROOT)}")
        print("console browser test: PASS")
        return 0
    except Exception:
        log_path = os.path.join(work, "serve.log")
        if os.path.exists(log_path):
            with open(log_path) as f:
                sys.stderr.write("--- flowlearn serve log (last 40 lines) ---\n" + "".join(f.readlines()[-40:]))
        if driver is not None:
            try:
                driver.save_screenshot(os.path.join(shots, "failure.png"))
            except Exception:
                pass
        raise
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
