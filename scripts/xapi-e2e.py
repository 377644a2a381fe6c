#!/usr/bin/env python3
"""End-to-end test of xAPI delivery against a real learning record store (Ralph, from PyPI), on loopback.

Starts `flowlearn serve` with Slack and xAPI on while the LRS is still down, so every statement waits
in the outbox; asks signed Slack `/learn` questions (answered and unanswered), takes a `/quiz` by
button clicks and votes on answers (one vote changed). Then starts Ralph (file backend, in a temporary
folder, credentials made with `ralph auth`), kills FlowLearn with SIGKILL while it is delivering,
starts it again on the same store, and checks through Ralph's `GET /xAPI/statements` that every
expected statement arrived exactly once: by id (UUIDv5, recomputed here from FlowLearn's own rows)
and by content. Everything it starts is stopped at the end; every wait is bounded.

    scripts/xapi-e2e.py --flowlearn .build/debug/flowlearn --python .build-venv-lrs/bin/python

Ralph 5.1's file backend writes every statement with the operation `create` into one file, so only
the first write of a run succeeds (the next ones answer 500: "fs_lrs.jsonl already exists"). The LRS
is therefore started through a three-line wrapper that makes that backend append; the API, its
validation, authentication and its duplicate-id checks are Ralph's own.
"""
import argparse
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from e2e_support import free_port, logger, wait_until

log = logger("xapi-e2e")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGNING_SECRET = secrets.token_hex(16)
ACTIVITY_BASE = "https://learning.example.com/flowlearn"
TEAM = "T0E2E"

RALPH_WRAPPER = """
import sys
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND  # one file, appended to (see the docstring)
import uvicorn

uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


class Sink:
    """Stands in for Slack's response_url and Web API: records every JSON body posted to it."""

    def __init__(self):
        self.bodies = []
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    parsed = json.loads(body or b"{}")
                except ValueError:
                    parsed = {}
                with sink.lock:
                    sink.bodies.append(parsed)
                answer = b'{"ok":true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def all(self):
        with self.lock:
            return list(self.bodies)

    def wait_for(self, what, predicate, timeout=20):
        return wait_until(what, lambda: next((b for b in self.all() if predicate(b)), None), timeout, 0.05)


class Slack:
    """Signed Slack requests to FlowLearn, as Slack sends them."""

    def __init__(self, base, response_url):
        self.base, self.response_url = base, response_url
        self.trigger = 0

    def post(self, path, fields):
        body = urllib.parse.urlencode(fields).encode()
        timestamp = str(int(time.time()))
        signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("X-Slack-Request-Timestamp", timestamp)
        request.add_header("X-Slack-Signature", signature)
        with urllib.request.urlopen(request, timeout=15) as response:
            assert response.status == 200, response.status
            raw = response.read()
            return json.loads(raw) if raw.strip() else None

    def command(self, user, text, command="/learn"):
        return self.post("/slack/commands", {
            "token": "unused", "team_id": TEAM, "team_domain": "e2e", "channel_id": "C0E2E", "channel_name": "general",
            "user_id": user, "user_name": user.lower(), "command": command, "text": text, "api_app_id": "A0E2E",
            "response_url": self.response_url, "trigger_id": f"trigger-{secrets.token_hex(4)}",
        })

    def click(self, user, action_id, value, block_id, selected=()):
        self.trigger += 1
        payload = {
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0E2E", "token": "unused", "trigger_id": f"click-{self.trigger}", "team": {"id": TEAM, "domain": "e2e"},
            "container": {"type": "message", "message_ts": "1.0", "channel_id": "C0E2E", "is_ephemeral": True},
            "channel": {"id": "C0E2E", "name": "general"}, "response_url": self.response_url,
            "state": {"values": {block_id: {"quiz.select": {"type": "checkboxes",
                                                            "selected_options": [{"value": v} for v in selected]}}}},
            "actions": [{"type": "button", "action_id": action_id, "block_id": block_id, "value": value,
                         "text": {"type": "plain_text", "text": "x"}, "action_ts": "1.0"}],
        }
        return self.post("/slack/interactions", {"payload": json.dumps(payload)})


def actions_block(message):
    return next((b for b in message.get("blocks", []) if b.get("type") == "actions"), None)


def metric(base, name):
    with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
        page = response.read().decode()
    match = re.search(rf"^{re.escape(name)} (\d+)$", page, re.MULTILINE)
    return int(match.group(1)) if match else None


def lrs_statements(lrs, auth):
    """Every statement the LRS has, following `more` links."""
    statements, url = [], f"{lrs}/xAPI/statements?limit=100"
    for _ in range(1000):
        request = urllib.request.Request(url)
        request.add_header("Authorization", auth)
        request.add_header("X-Experience-API-Version", "1.0.3")
        with urllib.request.urlopen(request, timeout=15) as response:
            page = json.loads(response.read())
        statements += page["statements"]
        more = page.get("more")
        if not more:
            return statements
        url = lrs + more if more.startswith("/") else more
    raise AssertionError("the LRS kept answering with more pages")


def milliseconds(stored):
    """A GRDB date (UTC text, `YYYY-MM-DD HH:MM:SS.SSS`) in milliseconds since 1970, as FlowLearn names rows."""
    parsed = datetime.strptime(stored, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
    return round(parsed.timestamp() * 1000)


def expected_ids(store_path):
    """The statement ids FlowLearn must have sent, recomputed from its rows (UUIDv5 in the activity base's namespace)."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, ACTIVITY_BASE)
    ids = {}
    with sqlite3.connect(store_path) as db:
        for row_id, asked_at, outcome, nugget in db.execute("SELECT id, asked_at, outcome, nugget_id FROM question_log"):
            source = f"question_log/{row_id}/{milliseconds(asked_at)}"
            ids[str(uuid.uuid5(namespace, f"asked {source}"))] = "asked"
            if outcome == "answered" and nugget:
                ids[str(uuid.uuid5(namespace, f"experienced {source}"))] = "experienced"
        for session, position in db.execute("SELECT session_id, position FROM quiz_answer"):
            ids[str(uuid.uuid5(namespace, f"answered quiz_answer/{session}/{position}"))] = "answered"
    return ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flowlearn", default=os.path.join(ROOT, ".build/debug/flowlearn"))
    parser.add_argument("--python", default=os.path.join(ROOT, ".build-venv-lrs/bin/python"))
    parser.add_argument("--questions", type=int, default=48, help="questions asked (two of three answerable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    args.flowlearn = os.path.abspath(args.flowlearn)
    args.python = os.path.abspath(args.python)
    ralph = os.path.join(os.path.dirname(args.python), "ralph")
    for path in (args.flowlearn, args.python, ralph):
        if not os.path.exists(path):
            log(f"FAIL: {path} does not exist (run scripts/install-deps.sh --test and swift build first)")
            return 1

    work = tempfile.mkdtemp(prefix="flowlearn-xapi-e2e-")
    processes = {}
    try:
        lrs_port, fl_port = free_port(), free_port()
        lrs, base = f"http://127.0.0.1:{lrs_port}", f"http://127.0.0.1:{fl_port}"
        sink = Sink()
        key, secret = "flowlearn", secrets.token_hex(12)
        auth = "Basic " + __import__("base64").b64encode(f"{key}:{secret}".encode()).decode()

        ralph_env = dict(os.environ, RALPH_APP_DIR=os.path.join(work, "ralph"), RALPH_AUTH_FILE=os.path.join(work, "ralph", "auth.json"),
                         RALPH_RUNSERVER_BACKEND="fs", RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=os.path.join(work, "lrs"),
                         RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH=os.path.join(work, "lrs"))
        os.makedirs(os.path.join(work, "ralph"))
        os.makedirs(os.path.join(work, "lrs"))
        subprocess.run([ralph, "auth", "-u", key, "-p", secret, "-s", "all", "-M", "mailto:flowlearn@example.com", "-w"],
                       env=ralph_env, check=True, capture_output=True, cwd=work, timeout=60)

        store_path = os.path.join(work, "flowlearn.sqlite")
        config = {
            "server": {"port": fl_port},
            "content": {"intents": os.path.join(ROOT, "Intents"), "encoder": ""},
            "store": {"path": store_path},
            "slack": {"enabled": True, "apiBaseURL": f"http://127.0.0.1:{sink.port}/api", "responseURLHosts": ["127.0.0.1"]},
            "nudges": {"enabled": False},
            "poster": {"maxAttempts": 2, "backoffSeconds": 0.05},
            "xapi": {"endpoint": f"{lrs}/xAPI", "activityBase": ACTIVITY_BASE, "intervalSeconds": 0.2,
                     "retryBackoffSeconds": 0.2, "maxBackoffSeconds": 0.5, "batchSize": 50},
            "log": {"level": "info"},
        }
        config_path = os.path.join(work, "flowlearn.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        fl_env = {k: v for k, v in os.environ.items() if k != "FLOWLEARN_METRICS_TOKEN"}
        fl_env.update(SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_BOT_TOKEN="xoxb-e2e", XAPI_KEY=key, XAPI_SECRET=secret)
        fl_log = open(os.path.join(work, "flowlearn.log"), "w")

        def start_flowlearn():
            processes["flowlearn"] = subprocess.Popen([args.flowlearn, "serve", "--config", config_path],
                                                      stdout=fl_log, stderr=subprocess.STDOUT, env=fl_env, cwd=work)
            wait_until("FlowLearn", lambda: urllib.request.urlopen(base + "/healthz", timeout=2).status == 200, 90)

        log(f"starting FlowLearn on {base}; the LRS ({lrs}) stays down for now")
        start_flowlearn()
        slack = Slack(base, f"http://127.0.0.1:{sink.port}/commands/{TEAM}/1/abc")

        # Questions: two of three answerable, the third about nothing the content knows.
        answerable = ["how do I get reimbursed for a taxi ride", "how do I connect to the VPN", "how do I report a phishing email"]
        users = ["U0ALICE", "U0BOB", "U0CAROL"]
        shown = []
        for number in range(args.questions):
            text = f"what is the airspeed of an unladen swallow number {number}" if number % 3 == 2 else answerable[number % 3]
            shown.append(slack.command(users[number % 3], text))  # the answer comes back in the acknowledgement
        assert all(shown), "every question is answered in its acknowledgement"
        answers = [b for b in shown if actions_block(b) and any(
            e.get("action_id") == "answer.helpful" for e in actions_block(b).get("elements", []))]
        assert len(answers) >= 2, f"expected answers with vote buttons, got {len(answers)}"
        log(f"{args.questions} questions asked, {len(answers)} answers carry vote buttons")

        # Votes: helpful on two answers, and the first one changed to not helpful.
        first, second = answers[0], answers[1]
        for message, action in ((first, "answer.helpful"), (second, "answer.helpful"), (first, "answer.unhelpful")):
            block = actions_block(message)
            value = next(e["value"] for e in block["elements"] if e.get("action_id") == action)
            slack.click(users[0], action, value, block.get("block_id", "answer:" + value))
        votes = 3

        # A quiz by button clicks: the first question comes back in the response, the next ones to response_url.
        shown = slack.command(users[1], "", command="/quiz")
        answered = 0
        for position in range(20):
            block = actions_block(shown)
            assert block and block.get("block_id", "").startswith("quiz:"), f"not a quiz question: {shown}"
            elements = block["elements"]
            if elements[0].get("type") == "checkboxes":
                option = elements[0]["options"][0]["value"]
                submit = elements[-1]
                slack.click(users[1], submit["action_id"], submit["value"], block["block_id"], selected=[option])
            else:
                slack.click(users[1], elements[0]["action_id"], elements[0]["value"], block["block_id"])
            answered += 1
            parts = block["block_id"].split(":")
            following = f"quiz:{parts[1]}:{position + 1}"
            done = sink.wait_for(f"quiz question {position + 2} or the score", lambda b: "Quiz done" in json.dumps(b)
                                 or (actions_block(b) or {}).get("block_id") == following)
            if "Quiz done" in json.dumps(done):
                break
            shown = done
        log(f"quiz taken: {answered} answers")

        expected = expected_ids(store_path)
        total = len(expected) + votes
        wait_until(f"{total} statements pending", lambda: metric(base, "flowlearn_xapi_pending") == total, 30)
        log(f"{total} statements wait in the outbox while the LRS is down")

        # The LRS comes up; FlowLearn is killed while it delivers.
        wrapper = os.path.join(work, "ralph_lrs.py")
        with open(wrapper, "w") as f:
            f.write(RALPH_WRAPPER)
        lrs_log = open(os.path.join(work, "ralph.log"), "w")
        log(f"starting Ralph on {lrs}")
        processes["ralph"] = subprocess.Popen([args.python, wrapper, str(lrs_port)], stdout=lrs_log, stderr=subprocess.STDOUT,
                                              env=ralph_env, cwd=work)
        lrs_file = os.path.join(work, "lrs", "fs_lrs.jsonl")

        def stored_lines():
            if not os.path.exists(lrs_file):
                return 0
            with open(lrs_file, "rb") as f:
                return sum(1 for _ in f)
        # Past the first group of confirmations (25), so the restart finds rows both confirmed and not.
        wait_until("the first statements at the LRS", lambda: stored_lines() >= 30, 60, 0.01)
        processes["flowlearn"].send_signal(signal.SIGKILL)
        processes["flowlearn"].wait(timeout=10)
        at_kill = stored_lines()
        log(f"FlowLearn killed (SIGKILL) with {at_kill} of {total} statements at the LRS")
        assert at_kill < total, "every statement was delivered before the kill: the crash tested nothing (ask more questions)"

        log("starting FlowLearn again on the same store")
        start_flowlearn()
        wait_until("an empty outbox", lambda: metric(base, "flowlearn_xapi_pending") == 0, 90, 0.2)
        # After the restart every unconfirmed statement went again: the ones the LRS had already (answered
        # 204 for the same statement, or 409) and the ones it had not seen.
        sent_again = sum(metric(base, f"flowlearn_xapi_statements_total{{result=\"{r}\"}}") or 0 for r in ("delivered", "already_stored"))
        resent = sent_again - (total - at_kill)
        assert resent >= 1, f"no statement was sent twice ({sent_again} after the restart): the kill did not land between delivery and confirmation"
        rejected = metric(base, "flowlearn_xapi_rejected")
        assert rejected == 0, f"the LRS refused {rejected} statement(s); see flowlearn.log"

        statements = lrs_statements(lrs, auth)
        ids = [s["id"] for s in statements]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicates, f"statements stored twice by id: {duplicates}"
        missing = sorted(set(expected) - set(ids))
        assert not missing, f"{len(missing)} expected statement(s) never arrived: {[expected[m] for m in missing]}"
        assert len(statements) == total, f"the LRS holds {len(statements)} statements, expected {total}"

        def content(s):
            return json.dumps({k: s.get(k) for k in ("actor", "verb", "object", "result", "timestamp")}, sort_keys=True)
        contents = [content(s) for s in statements]
        assert len(set(contents)) == len(contents), "two statements with the same content (a resend under a new id)"
        verbs = {}
        for s in statements:
            verb = s["verb"]["id"].rsplit("/", 1)[-1]
            verbs[verb] = verbs.get(verb, 0) + 1
        want = {k: list(expected.values()).count(k) for k in ("asked", "experienced", "answered")}
        want.update({"voted-up": 2, "voted-down": 1})
        assert verbs == want, f"statements by verb {verbs}, expected {want}"
        quiz = [s for s in statements if s["verb"]["id"].endswith("/answered")]
        assert all(s["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
                   and "response" in s["result"] and "success" in s["result"] for s in quiz), "quiz answers are cmi.interactions"
        assert all(s["actor"]["account"]["homePage"] == f"https://app.slack.com/client/{TEAM}" for s in statements)
        with open(os.path.join(work, "flowlearn.log")) as f:
            assert secret not in f.read(), "the LRS secret appeared in FlowLearn's log"
        log(f"the LRS holds {len(statements)} statements, each once by id and by content ({verbs}); "
            f"{resent} that the LRS had before the kill were sent again under the same ids and stored once")
        log("PASS")
        return 0
    except (AssertionError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        log(f"FAIL: {error}")
        for name in ["flowlearn.log", "ralph.log"]:
            path = os.path.join(work, name)
            if os.path.exists(path):
                with open(path) as f:
                    tail = f.readlines()[-25:]
                print(f"--- last lines of {name} ---\n" + "".join(tail), file=sys.stderr)
        return 1
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
