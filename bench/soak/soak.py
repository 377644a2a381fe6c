#!/usr/bin/env python3
"""Soak test: `flowlearn serve` (release) with all five platforms on, driven for a while.

    bench/soak/run.sh [--minutes 10] [--workers 4]

Starts a local chat-API sink on 127.0.0.1 (sometimes slow, sometimes 500 or 429 with Retry-After,
never failing one request more than twice, so every reply can arrive) and `flowlearn serve` on a
port the system picks, with Slack, Mattermost, Teams, Discord and Matrix all pointing their APIs at
the sink. Worker threads then send, until the time is up, a mix of signed valid requests (questions,
quizzes and button clicks, mentions, Matrix transactions), platform retries of the same event, and
forged, malformed and oversized requests. Every 10 s it samples the server's resident memory and
open file descriptors from /proc.

At the end it waits for the replies still on their way and prints Markdown tables: requests by kind
and status class, replies expected / received / lost / duplicated, and the samples. It exits 1 when
the server answered any 5xx, lost or duplicated a reply, or grew more than 10 % in memory or
descriptors over the last 8 minutes (from the 2-minute sample to the end). Stdlib only, plus PyNaCl
(from the test venv) to sign Discord interactions with Ed25519.
"""
import argparse
import base64
import collections
import hashlib
import hmac
import http.server
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

try:
    import nacl.signing
except ImportError:  # pragma: no cover
    sys.exit("soak: needs PyNaCl (run it with .build-venv/bin/python; scripts/install-deps.sh --test installs it)")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ----------------------------------------------------------------------------------------------
# The chat-API sink


class Sink:
    """Records what FlowLearn posts; answers like the platforms' APIs, with injected faults."""

    def __init__(self, seed):
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.failures = collections.Counter()  # per request: faults injected so far (at most 2)
        self.delivered = collections.Counter()  # reply key -> successful deliveries
        self.requests = collections.Counter()  # answer kind -> count
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, answer = sink.answer(self.command, self.path, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_GET = do_PATCH = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def answer(self, method, path, body):
        request_key = hashlib.sha256(method.encode() + path.encode() + body).hexdigest()
        with self.lock:
            roll = self.random.random()
            if self.failures[request_key] < 2 and roll < 0.07:
                self.failures[request_key] += 1
                self.requests["500"] += 1
                return 500, {}, b'{"error":"injected"}'
            if self.failures[request_key] < 2 and roll < 0.12:
                self.failures[request_key] += 1
                self.requests["429"] += 1
                return 429, {"Retry-After": "1"}, b'{"ok":false,"error":"ratelimited"}'
            delay = 0.3 + 1.2 * self.random.random() if 0.12 <= roll < 0.20 else 0.0
            self.requests["slow 200" if delay else "200"] += 1
        if delay:
            time.sleep(delay)
        key, answer = reply_key(method, path, body)
        if key:
            with self.lock:
                self.delivered[key] += 1
        return 200, {}, answer


def reply_key(method, path, body):
    """The reply a request delivers (to match it with what was expected), and the API's answer."""
    parsed = urllib.parse.urlparse(path)
    if parsed.path.startswith("/slack/response/"):
        return "slack-response:" + parsed.path.rsplit("/", 1)[-1], b"ok"
    if parsed.path.startswith("/slack/quiz-response/"):  # a result, then the next question: one or two posts
        return "slack-quiz:" + parsed.path.rsplit("/", 1)[-1], b"ok"
    if parsed.path == "/api/chat.postMessage":
        try:
            thread = json.loads(body).get("thread_ts")
        except ValueError:
            thread = None
        return ("slack-post:" + thread if thread else None), b'{"ok":true,"ts":"1.0"}'
    if "/send/m.room.message/" in parsed.path:
        return "matrix:" + parsed.path.rsplit("/", 1)[-1], b'{"event_id":"$reply"}'
    if "/join/" in parsed.path:
        room = urllib.parse.unquote(parsed.path.rsplit("/", 1)[-1])
        return "matrix-join:" + room, json.dumps({"room_id": room}).encode()
    if parsed.path.startswith("/discord/webhooks/"):
        token = parsed.path.split("/")[4] if len(parsed.path.split("/")) > 4 else ""
        return "discord:" + token, b'{"id":"1"}'
    if parsed.path == "/api/users.info":
        return None, b'{"ok":true,"user":{"tz":"Europe/Amsterdam"}}'
    return None, b'{"ok":true}'


# ----------------------------------------------------------------------------------------------
# The server under test


class Server:
    def __init__(self, binary, folder, sink, secrets):
        self.folder = folder
        config = {
            "server": {"host": "127.0.0.1", "port": 0, "maxBodyBytes": 262144},
            "content": {"intents": os.path.join(ROOT, "Intents"), "encoder": os.path.join(ROOT, ".build-model/all-MiniLM-L6-v2")},
            "store": {"path": os.path.join(folder, "flowlearn.sqlite")},
            "slack": {"apiBaseURL": sink.url + "/api", "responseURLHosts": ["127.0.0.1"], "botUserID": "UBOT"},
            "matrix": {"enabled": True, "homeserverURL": sink.url, "serverName": "soak.example", "appServiceURL": "http://127.0.0.1:1"},
            "teams": {"enabled": True},
            "discord": {"enabled": True, "apiBaseURL": sink.url + "/discord"},
            "mattermost": {"enabled": True, "publicURL": "http://127.0.0.1:1"},
            "nudges": {"enabled": True, "planIntervalSeconds": 30},
            "poster": {"backoffSeconds": 0.2, "maxAttempts": 4},
            "log": {"level": "info"},
        }
        path = os.path.join(folder, "config.json")
        with open(path, "w") as file:
            json.dump(config, file)
        self.log_path = os.path.join(folder, "server.log")
        environment = dict(os.environ, **secrets)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([binary, "serve", "--config", path], stdout=self.log, stderr=self.log, env=environment)
        self.port = self.wait_for_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_for_port(self):
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"soak: flowlearn serve exited with {self.process.returncode}; see {self.log_path}")
            with open(self.log_path) as file:
                for line in file:
                    if "serving" in line:
                        match = re.search(r"address=\S*:(\d+)", line)
                        if match:
                            return int(match.group(1))
            time.sleep(0.2)
        sys.exit("soak: flowlearn serve did not start within 180 s")

    def sample(self):
        pid = self.process.pid
        with open(f"/proc/{pid}/status") as file:
            rss = next(int(line.split()[1]) for line in file if line.startswith("VmRSS:"))
        return rss / 1024, len(os.listdir(f"/proc/{pid}/fd"))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# ----------------------------------------------------------------------------------------------
# Traffic


def load_questions():
    questions = []
    for name in ("starter-dev.csv", "starter-report.csv"):
        with open(os.path.join(ROOT, "bench", "questions", name)) as file:
            lines = file.read().splitlines()[1:]
        for line in lines:
            text = line.rsplit(",", 1)[0].strip('"')
            if text:
                questions.append(text)
    return questions


class Traffic:
    """Builds and sends the requests of each kind; counts responses and the replies to expect."""

    def __init__(self, server, sink, secrets, discord_key, seed):
        self.server, self.sink, self.secrets, self.discord_key = server, sink, secrets, discord_key
        self.questions = load_questions()
        self.lock = threading.Lock()
        self.responses = collections.Counter()  # (kind, status class) -> count
        self.expected = set()  # reply keys that must reach the sink
        self.unexpected_status = collections.Counter()
        self.seed = seed

    # -- bookkeeping

    def count(self, kind, status, expect):
        with self.lock:
            self.responses[(kind, f"{status // 100}xx")] += 1
            if status not in expect:
                self.unexpected_status[(kind, status)] += 1

    def expect_reply(self, key):
        with self.lock:
            self.expected.add(key)

    def send(self, method, path, body, headers, kind, expect=(200,)):
        request = urllib.request.Request(self.server.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            status, answer = 599, str(error).encode()  # counted as a server failure
        self.count(kind, status, expect)
        return status, answer

    # -- signing

    def slack_headers(self, body, content_type, secret=None):
        stamp = str(int(time.time()))
        base = b"v0:" + stamp.encode() + b":" + body
        signature = "v0=" + hmac.new((secret or self.secrets["SLACK_SIGNING_SECRET"]).encode(), base, hashlib.sha256).hexdigest()
        return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}

    def teams_headers(self, body, forged=False):
        key = base64.b64decode(self.secrets["TEAMS_SECURITY_TOKEN"])
        digest = hmac.new(key if not forged else b"forged", body, hashlib.sha256).digest()
        return {"Content-Type": "application/json", "Authorization": "HMAC " + base64.b64encode(digest).decode()}

    def discord_headers(self, body, forged=False):
        stamp = str(int(time.time()))
        signature = self.discord_key.sign(stamp.encode() + body).signature
        if forged:
            signature = bytes(64)
        return {"Content-Type": "application/json", "X-Signature-Ed25519": signature.hex(), "X-Signature-Timestamp": stamp}

    # -- Slack

    @staticmethod
    def form(fields):
        return urllib.parse.urlencode(fields).encode()

    def slack_command(self, rng, command, text, response_id):
        return self.form({
            "token": "x", "team_id": "T0001", "team_domain": "soak", "channel_id": "C0001", "channel_name": "general",
            "user_id": f"U{rng.randrange(200):04d}", "user_name": "soak", "command": command, "text": text, "api_app_id": "A1",
            "response_url": f"{self.sink.url}/slack/response/{response_id}", "trigger_id": uuid.uuid4().hex,
        })

    def slack_learn(self, rng):
        response_id = uuid.uuid4().hex
        body = self.slack_command(rng, "/learn", rng.choice(self.questions), response_id)
        status, answer = self.send("POST", "/slack/commands", body, self.slack_headers(body, "application/x-www-form-urlencoded"), "slack /learn")
        if status == 200 and not answer.strip():
            # The answer is in the acknowledgement, unless it was not ready in time: then it goes to response_url.
            self.expect_reply("slack-response:" + response_id)

    def slack_mention(self, rng, retry=False):
        ts = f"{time.time():.6f}{rng.randrange(10**6):06d}"
        event = {
            "token": "x", "team_id": "T0001", "api_app_id": "A1", "type": "event_callback", "event_id": "Ev" + uuid.uuid4().hex[:12],
            "event_time": int(time.time()), "authorizations": [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}],
            "event": {"type": "app_mention", "user": f"U{rng.randrange(200):04d}", "text": "<@UBOT> " + rng.choice(self.questions),
                      "ts": ts, "channel": "C0001", "event_ts": ts},
        }
        body = json.dumps(event).encode()
        status, _ = self.send("POST", "/slack/events", body, self.slack_headers(body, "application/json"), "slack mention")
        if status == 200:
            self.expect_reply("slack-post:" + ts)
        if retry:  # Slack's retry of the same event: acknowledged, never answered twice
            headers = self.slack_headers(body, "application/json")
            headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
            self.send("POST", "/slack/events", body, headers, "slack retry")

    def slack_quiz(self, rng):
        body = self.slack_command(rng, "/quiz", "", uuid.uuid4().hex)
        status, answer = self.send("POST", "/slack/commands", body, self.slack_headers(body, "application/x-www-form-urlencoded"), "slack /quiz")
        if status != 200:
            return
        try:
            blocks = json.loads(answer).get("blocks", [])
        except ValueError:
            return
        for block in blocks:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                action_id = element.get("action_id", "")
                if action_id.startswith("quiz.pick.") or action_id == "quiz.submit":
                    response_id = uuid.uuid4().hex
                    payload = {
                        "type": "block_actions", "user": {"id": "U0001", "username": "soak", "team_id": "T0001"}, "api_app_id": "A1",
                        "token": "x", "container": {"type": "message", "message_ts": "1.0", "channel_id": "C0001", "is_ephemeral": True},
                        "trigger_id": uuid.uuid4().hex, "team": {"id": "T0001", "domain": "soak"}, "channel": {"id": "C0001"},
                        "response_url": f"{self.sink.url}/slack/quiz-response/{response_id}",
                        "state": {"values": {block.get("block_id", ""): {"quiz.select": {"type": "checkboxes", "selected_options": [{"value": "0"}]}}}},
                        "actions": [{"type": "button", "action_id": action_id, "block_id": block.get("block_id", ""),
                                     "value": element.get("value", ""), "action_ts": "1.0"}],
                    }
                    click = self.form({"payload": json.dumps(payload)})
                    status, _ = self.send("POST", "/slack/interactions", click, self.slack_headers(click, "application/x-www-form-urlencoded"),
                                          "slack quiz click")
                    if status == 200:
                        self.expect_reply("slack-quiz:" + response_id)
                    return

    # -- Mattermost

    def mattermost_command(self, rng, command, text):
        token = self.secrets["MATTERMOST_COMMAND_TOKENS"].split(",")[0]
        body = self.form({
            "channel_id": "mmchannel", "channel_name": "town-square", "command": command, "response_url": self.sink.url + "/mm/response",
            "team_domain": "soak", "team_id": "mmteam", "text": text, "token": token, "trigger_id": uuid.uuid4().hex,
            "user_id": f"mmuser{rng.randrange(200)}", "user_name": "soak",
        })
        return body, {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Token " + token}

    def mattermost_learn(self, rng):
        body, headers = self.mattermost_command(rng, "/learn", rng.choice(self.questions))
        self.send("POST", "/mattermost/commands", body, headers, "mattermost /learn")

    def mattermost_quiz(self, rng):
        body, headers = self.mattermost_command(rng, "/quiz", "")
        status, answer = self.send("POST", "/mattermost/commands", body, headers, "mattermost /quiz")
        if status != 200:
            return
        try:
            attachments = json.loads(answer).get("attachments") or []
        except ValueError:
            return
        for attachment in attachments:
            for action in attachment.get("actions") or []:
                context = (action.get("integration") or {}).get("context")
                if context:
                    click = json.dumps({"user_id": context.get("user"), "user_name": "soak", "channel_id": "mmchannel", "team_id": "mmteam",
                                        "post_id": uuid.uuid4().hex, "trigger_id": uuid.uuid4().hex, "type": "button",
                                        "context": context}).encode()
                    self.send("POST", "/mattermost/actions", click, {"Content-Type": "application/json"}, "mattermost quiz click")
                    return

    def mattermost_outgoing(self, rng):
        body = json.dumps({"token": self.secrets["MATTERMOST_OUTGOING_TOKEN"], "team_id": "mmteam", "channel_id": "mmchannel",
                           "post_id": uuid.uuid4().hex, "user_id": f"mmuser{rng.randrange(200)}", "user_name": "soak",
                           "trigger_word": "@flowlearn", "text": "@flowlearn " + rng.choice(self.questions)}).encode()
        self.send("POST", "/mattermost/outgoing", body, {"Content-Type": "application/json"}, "mattermost outgoing")

    # -- Teams

    def teams_activity(self, rng, text, user):
        return json.dumps({
            "type": "message", "id": str(rng.randrange(10**12)), "timestamp": "2026-12-01T10:00:00.000Z", "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/emea/",
            "from": {"id": "29:" + user, "name": "Soak", "aadObjectId": user},
            "conversation": {"isGroup": True, "id": "19:soak@thread.tacv2;messageid=1", "conversationType": "channel"},
            "textFormat": "plain", "locale": "en-US", "text": f"<at>FlowLearn</at>&nbsp;{text}\n",
            "entities": [{"type": "mention", "mentioned": {"id": "28:flowlearn", "name": "FlowLearn"}, "text": "<at>FlowLearn</at>"}],
        }).encode()

    def teams_question(self, rng):
        body = self.teams_activity(rng, rng.choice(self.questions), f"user{rng.randrange(200)}")
        self.send("POST", "/teams/messages", body, self.teams_headers(body), "teams question")

    def teams_quiz(self, rng):
        user = f"quizzer{rng.randrange(50)}"
        for text in ("quiz", str(rng.randrange(1, 5))):
            body = self.teams_activity(rng, text, user)
            self.send("POST", "/teams/messages", body, self.teams_headers(body), "teams quiz")

    # -- Discord

    def discord_interaction(self, rng, data, kind_type=2, user=None):
        token = uuid.uuid4().hex
        body = json.dumps({
            "type": kind_type, "id": str(rng.randrange(10**18)), "application_id": "1170000000000000000", "token": token,
            "guild_id": "1160000000000000000", "channel_id": "1150000000000000000", "version": 1, "locale": "en-US",
            "member": {"user": {"id": user or str(1140000000000000000 + rng.randrange(200)), "username": "soak"}, "roles": [],
                       "permissions": "0"},
            "data": data,
        }).encode()
        return body, token

    def discord_learn(self, rng):
        body, token = self.discord_interaction(
            rng, {"id": "1", "name": "learn", "type": 1, "options": [{"name": "question", "type": 3, "value": rng.choice(self.questions)}]})
        status, answer = self.send("POST", "/discord/interactions", body, self.discord_headers(body), "discord /learn")
        if status == 200 and b'"type":5' in answer.replace(b" ", b""):
            self.expect_reply("discord:" + token)  # deferred: the answer follows through the webhook

    def discord_quiz(self, rng):
        user = str(1140000000000000000 + rng.randrange(50))
        body, _ = self.discord_interaction(rng, {"id": "2", "name": "quiz", "type": 1}, user=user)
        status, answer = self.send("POST", "/discord/interactions", body, self.discord_headers(body), "discord /quiz")
        if status != 200:
            return
        try:
            rows = (json.loads(answer).get("data") or {}).get("components") or []
        except ValueError:
            return
        for row in rows:
            for component in row.get("components") or []:
                custom = component.get("custom_id", "")
                if custom.startswith("quiz:"):
                    click, _ = self.discord_interaction(rng, {"custom_id": custom, "component_type": 2}, kind_type=3, user=user)
                    self.send("POST", "/discord/interactions", click, self.discord_headers(click), "discord quiz click")
                    return

    # -- Matrix

    def matrix_transaction(self, events, txn, kind, token=None):
        body = json.dumps({"events": events}).encode()
        headers = {"Content-Type": "application/json", "Authorization": "Bearer " + (token or self.secrets["MATRIX_HS_TOKEN"])}
        expect = (200,) if token is None else (401, 403)
        return self.send("PUT", f"/_matrix/app/v1/transactions/{txn}", body, headers, kind, expect=expect)

    def matrix_invite(self, room):
        event = {"type": "m.room.member", "event_id": "$" + uuid.uuid4().hex, "room_id": room, "sender": "@soak:soak.example",
                 "state_key": "@flowlearn:soak.example", "content": {"membership": "invite", "is_direct": True}}
        status, _ = self.matrix_transaction([event], uuid.uuid4().hex, "matrix invite")
        if status == 200:
            self.expect_reply("matrix-join:" + room)

    def matrix_message(self, rng, room, retry=False):
        event_id = "$" + uuid.uuid4().hex
        event = {"type": "m.room.message", "event_id": event_id, "room_id": room, "sender": "@soak:soak.example",
                 "origin_server_ts": int(time.time() * 1000), "content": {"msgtype": "m.text", "body": rng.choice(self.questions)}}
        txn = uuid.uuid4().hex
        status, _ = self.matrix_transaction([event], txn, "matrix message")
        if status == 200:
            self.expect_reply("matrix:fl" + hashlib.sha256(f"{event_id}#0".encode()).hexdigest()[:24])
        if retry:  # the homeserver resends a transaction it did not see acknowledged
            self.matrix_transaction([event], txn, "matrix retry")

    # -- bad requests

    def forged(self, rng):
        choice = rng.randrange(5)
        if choice == 0:
            body = self.slack_command(rng, "/learn", "taxi", uuid.uuid4().hex)
            self.send("POST", "/slack/commands", body, self.slack_headers(body, "application/x-www-form-urlencoded", secret="forged"),
                      "forged", expect=(401, 403))
        elif choice == 1:
            body = self.teams_activity(rng, "taxi", "forger")
            self.send("POST", "/teams/messages", body, self.teams_headers(body, forged=True), "forged", expect=(401, 403))
        elif choice == 2:
            body, _ = self.discord_interaction(rng, {"id": "1", "name": "learn", "type": 1})
            self.send("POST", "/discord/interactions", body, self.discord_headers(body, forged=True), "forged", expect=(401, 403))
        elif choice == 3:
            body, headers = self.mattermost_command(rng, "/learn", "taxi")
            headers["Authorization"] = "Token forged"
            self.send("POST", "/mattermost/commands", body, headers, "forged", expect=(401, 403))
        else:
            self.matrix_transaction([], uuid.uuid4().hex, "forged", token="forged")

    def malformed(self, rng):
        garbage = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        choice = rng.randrange(5)
        if choice == 0:
            self.send("POST", "/slack/events", garbage, self.slack_headers(garbage, "application/json"), "malformed", expect=(400,))
        elif choice == 1:
            self.send("POST", "/teams/messages", garbage, self.teams_headers(garbage), "malformed", expect=(400,))
        elif choice == 2:
            self.send("POST", "/discord/interactions", garbage, self.discord_headers(garbage), "malformed", expect=(400,))
        elif choice == 3:
            self.send("POST", "/mattermost/outgoing", garbage, {"Content-Type": "application/json"}, "malformed", expect=(400, 401, 403))
        else:
            body = b'{"events": [{"type": "m.room.message", "content": {"body": 1}}, 7, "x"]}' if rng.random() < 0.5 else garbage
            self.send("PUT", f"/_matrix/app/v1/transactions/{uuid.uuid4().hex}", body,
                      {"Content-Type": "application/json", "Authorization": "Bearer " + self.secrets["MATRIX_HS_TOKEN"]},
                      "malformed", expect=(200, 400))

    def oversized(self, rng):
        body = b"x" * 300_000
        self.send("POST", "/slack/events", body, self.slack_headers(body, "application/json"), "oversized", expect=(413,))

    # -- the mix

    def worker(self, number, deadline):
        rng = random.Random(self.seed * 1000 + number)
        room = f"!soak{number}:soak.example"
        self.matrix_invite(room)
        mix = [
            (self.slack_learn, 14), (lambda r: self.slack_mention(r), 8), (lambda r: self.slack_mention(r, retry=True), 3),
            (self.slack_quiz, 6), (self.mattermost_learn, 8), (self.mattermost_quiz, 4), (self.mattermost_outgoing, 4),
            (self.teams_question, 8), (self.teams_quiz, 4), (self.discord_learn, 8), (self.discord_quiz, 4),
            (lambda r: self.matrix_message(r, room), 8), (lambda r: self.matrix_message(r, room, retry=True), 3),
            (self.forged, 6), (self.malformed, 6), (self.oversized, 1),
        ]
        actions, weights = zip(*mix)
        while time.time() < deadline:
            rng.choices(actions, weights)[0](rng)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/flowlearn"))
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    arguments = parser.parse_args()

    discord_key = nacl.signing.SigningKey(hashlib.sha256(b"soak-discord").digest())
    secrets = {
        "SLACK_SIGNING_SECRET": "soak-signing-secret", "SLACK_BOT_TOKEN": "xoxb-soak",
        "MATRIX_AS_TOKEN": "soak-as-token", "MATRIX_HS_TOKEN": "soak-hs-token",
        "TEAMS_SECURITY_TOKEN": base64.b64encode(hashlib.sha256(b"soak-teams").digest()).decode(),
        "DISCORD_PUBLIC_KEY": discord_key.verify_key.encode().hex(), "DISCORD_BOT_TOKEN": "soak-discord-bot",
        "MATTERMOST_COMMAND_TOKENS": "soaklearn,soakquiz", "MATTERMOST_OUTGOING_TOKEN": "soak-outgoing",
        "MATTERMOST_ACTION_SECRET": "soak-actions",
    }
    sink = Sink(arguments.seed)
    secrets["MATTERMOST_INCOMING_WEBHOOK_URL"] = sink.url + "/mm/incoming"
    folder = tempfile.mkdtemp(prefix="flowlearn-soak-")
    server = Server(arguments.binary, folder, sink, secrets)
    print(f"soak: flowlearn serve on port {server.port}, sink on {sink.port}, {arguments.workers} workers, "
          f"{arguments.minutes:g} minutes; log {server.log_path}", file=sys.stderr)
    traffic = Traffic(server, sink, secrets, discord_key, arguments.seed)

    started = time.time()
    deadline = started + arguments.minutes * 60
    samples = []
    threads = [threading.Thread(target=traffic.worker, args=(number, deadline), daemon=True) for number in range(arguments.workers)]
    for thread in threads:
        thread.start()
    while time.time() < deadline:
        rss, fds = server.sample()
        samples.append((time.time() - started, rss, fds))
        time.sleep(max(0.0, min(10.0, deadline - time.time())))
    for thread in threads:
        thread.join(timeout=60)
    rss, fds = server.sample()
    samples.append((time.time() - started, rss, fds))

    # Replies still on their way: wait while they keep arriving (a slow sink leaves a queue behind),
    # at most 10 minutes; what has not arrived when they stop arriving for 30 s is lost.
    drain_started = time.time()
    last_progress, last_missing = time.time(), None
    while time.time() < drain_started + 600:
        with traffic.lock, sink.lock:
            missing = sum(1 for key in traffic.expected if sink.delivered[key] == 0)
        if missing == 0:
            break
        if missing != last_missing:
            last_progress, last_missing = time.time(), missing
        elif time.time() - last_progress > 30:
            break
        time.sleep(1)
    drain_seconds = time.time() - drain_started
    server.stop()

    with traffic.lock, sink.lock:
        lost = sorted(key for key in traffic.expected if sink.delivered[key] == 0)
        duplicated = sorted(key for key in traffic.expected if sink.delivered[key] > 1 and not key.startswith("slack-quiz:"))
        expected = len(traffic.expected)
    five_xx = sum(count for (kind, status_class), count in traffic.responses.items() if status_class == "5xx")
    requests = sum(traffic.responses.values())
    elapsed = samples[-1][0]

    print(f"### Soak: {elapsed / 60:.1f} minutes, {requests} requests ({requests / max(elapsed, 1):.0f}/s), {arguments.workers} workers\n")
    print("| kind | 2xx | 4xx | 5xx |")
    print("| --- | ---: | ---: | ---: |")
    kinds = sorted({kind for kind, _ in traffic.responses})
    for kind in kinds:
        print(f"| {kind} | {traffic.responses[(kind, '2xx')]} | {traffic.responses[(kind, '4xx')]} | {traffic.responses[(kind, '5xx')]} |")
    if traffic.unexpected_status:
        print("\nUnexpected statuses: " + ", ".join(f"{kind} {status} ×{count}" for (kind, status), count in sorted(traffic.unexpected_status.items())))
    print(f"\nSink answers: " + ", ".join(f"{kind} {count}" for kind, count in sorted(sink.requests.items())))
    print(f"\nReplies (asynchronous, through the outbox): expected {expected}, received {expected - len(lost)}, "
          f"lost {len(lost)}, duplicated {len(duplicated)}; the last arrived {drain_seconds:.0f} s after the traffic stopped")
    if lost or duplicated:
        by_kind = collections.Counter(key.split(":")[0] for key in lost)
        print("Lost by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(by_kind.items())) + "; e.g. " + ", ".join(lost[:5]))
        print("Duplicated: " + ", ".join(duplicated[:10]))
    print("\n| minute | resident MB | open fds |")
    print("| ---: | ---: | ---: |")
    for seconds, rss, fds in samples:
        print(f"| {seconds / 60:.1f} | {rss:.1f} | {fds} |")

    baseline = [sample for sample in samples if sample[0] >= 120] or samples
    growth_rss = (samples[-1][1] - baseline[0][1]) / baseline[0][1]
    growth_fds = (samples[-1][2] - baseline[0][2]) / max(baseline[0][2], 1)
    print(f"\nGrowth from minute {baseline[0][0] / 60:.1f} to the end: resident memory {growth_rss * 100:+.1f} %, "
          f"descriptors {growth_fds * 100:+.1f} %")
    failures = []
    if five_xx:
        failures.append(f"{five_xx} responses were 5xx")
    if lost or duplicated:
        failures.append(f"{len(lost)} replies lost, {len(duplicated)} duplicated")
    if growth_rss >= 0.10 or growth_fds >= 0.10:
        failures.append("memory or descriptors grew 10 % or more")
    if traffic.unexpected_status:
        failures.append("some requests got a status their kind should not get")
    if arguments.json:
        with open(arguments.json, "w") as file:
            json.dump({"minutes": elapsed / 60, "requests": requests, "responses": {f"{k} {c}": n for (k, c), n in traffic.responses.items()},
                       "expected_replies": expected, "lost": len(lost), "duplicated": len(duplicated), "five_xx": five_xx,
                       "samples": samples, "growth_rss": growth_rss, "growth_fds": growth_fds}, file, indent=1)
    print("\nResult: " + ("FAIL: " + "; ".join(failures) if failures else "PASS"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
