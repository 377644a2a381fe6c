#!/usr/bin/env python3
"""End-to-end test against a real Matrix homeserver (Synapse), on loopback only.

Starts Synapse (SQLite, no federation, no outside key servers, relaxed rate limits) with FlowLearn
registered as an application service, starts `flowlearn serve` with Matrix on, then as a real user:
creates a direct chat with the bot (it must join), asks a question (the nugget must arrive as an
m.notice), takes a quiz by text answers (the score must arrive), and checks that in a group room the
bot answers only when mentioned. Everything it starts is stopped at the end.

    scripts/matrix-e2e.py --flowlearn .build/debug/flowlearn --python .build-venv/bin/python
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from e2e_support import free_port, logger, wait_until

log = logger("matrix-e2e")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call(method, url, token=None, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class Homeserver:
    def __init__(self, base, token, bot):
        self.base, self.token, self.bot = base, token, bot
        self.txn = 0

    def send(self, room, text, mention=False):
        self.txn += 1
        content = {"msgtype": "m.text", "body": text}
        if mention:
            content["m.mentions"] = {"user_ids": [self.bot]}
        room_q = urllib.parse.quote(room, safe="")
        status, answer = call("PUT", f"{self.base}/_matrix/client/v3/rooms/{room_q}/send/m.room.message/e2e{self.txn}", self.token, content)
        assert status == 200, (status, answer)
        return answer["event_id"]

    def bot_notices(self, room):
        """The bot's m.notice bodies in the room, oldest first."""
        room_q = urllib.parse.quote(room, safe="")
        status, answer = call("GET", f"{self.base}/_matrix/client/v3/rooms/{room_q}/messages?dir=b&limit=100", self.token)
        assert status == 200, (status, answer)
        events = reversed(answer.get("chunk", []))
        return [e["content"].get("body", "") for e in events
                if e.get("sender") == self.bot and e.get("type") == "m.room.message" and e["content"].get("msgtype") == "m.notice"]

    def wait_for_notice(self, room, count, contains, timeout=30):
        def check():
            notices = self.bot_notices(room)
            return notices if len(notices) >= count else None
        notices = wait_until(f"bot notice #{count} containing {contains!r}", check, timeout)
        assert contains in notices[count - 1], f"notice #{count} is {notices[count - 1]!r}, expected it to contain {contains!r}"
        return notices


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flowlearn", default=os.path.join(ROOT, ".build/debug/flowlearn"))
    parser.add_argument("--python", default=os.path.join(ROOT, ".build-venv/bin/python"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    # The processes start in a temporary folder: make the paths absolute first.
    args.flowlearn = os.path.abspath(args.flowlearn)
    args.python = os.path.abspath(args.python)
    for path in (args.flowlearn, args.python):
        if not os.path.exists(path):
            log(f"FAIL: {path} does not exist (run scripts/install-deps.sh --test and swift build first)")
            return 1

    work = tempfile.mkdtemp(prefix="flowlearn-matrix-e2e-")
    processes = []
    try:
        hs_port, fl_port = free_port(), free_port()
        server = "localhost"
        bot = f"@flowlearn:{server}"
        as_token, hs_token = secrets.token_hex(24), secrets.token_hex(24)
        env = dict(os.environ, MATRIX_AS_TOKEN=as_token, MATRIX_HS_TOKEN=hs_token)

        config = {
            "server": {"port": fl_port},
            "content": {"intents": os.path.join(ROOT, "Intents")},
            "store": {"path": os.path.join(work, "flowlearn.sqlite")},
            "slack": {"enabled": False},
            "nudges": {"enabled": False},
            "matrix": {"enabled": True, "homeserverURL": f"http://127.0.0.1:{hs_port}", "serverName": server,
                       "appServiceURL": f"http://127.0.0.1:{fl_port}"},
            "log": {"level": "info"},
        }
        config_path = os.path.join(work, "flowlearn.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        registration = subprocess.run([args.flowlearn, "matrix", "registration", "--config", config_path],
                                      env=env, check=True, capture_output=True, text=True).stdout
        registration_path = os.path.join(work, "flowlearn-registration.yaml")
        with open(registration_path, "w") as f:
            f.write(registration)

        limits = {"per_second": 1000, "burst_count": 1000}
        homeserver = f"""
server_name: "{server}"
pid_file: "{work}/homeserver.pid"
listeners:
  - port: {hs_port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{work}/homeserver.db"
media_store_path: "{work}/media"
signing_key_path: "{work}/signing.key"
report_stats: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
enable_registration: true
enable_registration_without_verification: true
macaroon_secret_key: "{secrets.token_hex(16)}"
form_secret: "{secrets.token_hex(16)}"
app_service_config_files: ["{registration_path}"]
rc_message: {json.dumps(limits)}
rc_registration: {json.dumps(limits)}
rc_joins: {{"local": {json.dumps(limits)}, "remote": {json.dumps(limits)}}}
rc_invites: {{"per_room": {json.dumps(limits)}, "per_user": {json.dumps(limits)}, "per_issuer": {json.dumps(limits)}}}
rc_login: {{"address": {json.dumps(limits)}, "account": {json.dumps(limits)}, "failed_attempts": {json.dumps(limits)}}}
"""
        hs_config = os.path.join(work, "homeserver.yaml")
        with open(hs_config, "w") as f:
            f.write(homeserver)
        subprocess.run([args.python, "-m", "synapse.app.homeserver", "--config-path", hs_config, "--generate-keys"],
                       check=True, capture_output=True, cwd=work)

        hs_log = open(os.path.join(work, "synapse.log"), "w")
        fl_log = open(os.path.join(work, "flowlearn.log"), "w")
        log(f"starting Synapse on 127.0.0.1:{hs_port} and FlowLearn on 127.0.0.1:{fl_port}")
        processes.append(subprocess.Popen([args.python, "-m", "synapse.app.homeserver", "--config-path", hs_config],
                                          stdout=hs_log, stderr=subprocess.STDOUT, cwd=work))
        processes.append(subprocess.Popen([args.flowlearn, "serve", "--config", config_path],
                                          stdout=fl_log, stderr=subprocess.STDOUT, env=env, cwd=work))
        base = f"http://127.0.0.1:{hs_port}"
        wait_until("Synapse", lambda: call("GET", f"{base}/_matrix/client/versions")[0] == 200, 90)
        wait_until("FlowLearn", lambda: call("GET", f"http://127.0.0.1:{fl_port}/healthz")[0] == 200, 60)
        log("both are up")

        # A forged transaction is refused and changes nothing.
        status, answer = call("PUT", f"http://127.0.0.1:{fl_port}/_matrix/app/v1/transactions/forged", "wrong-token", {"events": []})
        assert status == 403 and answer.get("errcode") == "M_FORBIDDEN", (status, answer)

        status, account = call("POST", f"{base}/_matrix/client/v3/register", None,
                               {"username": "alice", "password": secrets.token_hex(8), "auth": {"type": "m.login.dummy"}})
        assert status == 200, (status, account)
        alice = Homeserver(base, account["access_token"], bot)
        log(f"registered {account['user_id']}")

        status, created = call("POST", f"{base}/_matrix/client/v3/createRoom", alice.token,
                               {"invite": [bot], "is_direct": True, "preset": "trusted_private_chat"})
        assert status == 200, (status, created)
        direct = created["room_id"]

        def bot_joined(room):
            room_q = urllib.parse.quote(room, safe="")
            status, members = call("GET", f"{base}/_matrix/client/v3/rooms/{room_q}/joined_members", alice.token)
            return status == 200 and bot in members.get("joined", {})
        wait_until("the bot to join the direct chat", lambda: bot_joined(direct), 30)
        log("the bot joined the direct chat")

        alice.send(direct, "how do I get reimbursed for a taxi?")
        alice.wait_for_notice(direct, 1, "Taxi and ride-share expenses")
        log("question answered with the taxi nugget")

        alice.send(direct, "quiz")
        alice.wait_for_notice(direct, 2, "Question 1 of 5")
        for number in range(1, 6):
            alice.send(direct, "1")
            expected = "Quiz done:" if number == 5 else f"Question {number + 1} of 5"
            notices = alice.wait_for_notice(direct, 2 + number, expected)
        score = notices[-1]
        assert "of 5 right" in score, score
        log("quiz finished by text answers: " + next(line for line in score.splitlines() if "Quiz done" in line))

        status, created = call("POST", f"{base}/_matrix/client/v3/createRoom", alice.token, {"invite": [bot], "preset": "private_chat"})
        assert status == 200, (status, created)
        group = created["room_id"]
        wait_until("the bot to join the group room", lambda: bot_joined(group), 30)
        alice.send(group, "how do I connect to the VPN?")  # no mention: not for the bot
        alice.send(group, "flowlearn: how do I report a phishing email?", mention=True)
        notices = alice.wait_for_notice(group, 1, "phishing")
        time.sleep(1.0)
        notices = alice.bot_notices(group)
        assert len(notices) == 1, f"the bot answered a message that did not mention it: {notices}"
        log("in a group room the bot answers only when mentioned")
        log("PASS")
        return 0
    except (AssertionError, subprocess.CalledProcessError) as error:
        log(f"FAIL: {error}")
        for name in ["flowlearn.log", "synapse.log"]:
            path = os.path.join(work, name)
            if os.path.exists(path):
                with open(path) as f:
                    tail = f.readlines()[-25:]
                print(f"--- last lines of {name} ---\n" + "".join(tail), file=sys.stderr)
        return 1
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
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
