#!/usr/bin/env python3
"""Three `flowlearn serve` replicas on one PostgreSQL database, and one of them killed with kill -9.

Run under scripts/with-postgres.sh (which provides FLOWLEARN_TEST_POSTGRES_URL and _PASSWORD). On a
fresh database, with a local sink standing in for Slack's API, it checks that:
  1. requests spread over the three replicas are all answered;
  2. the same Slack event delivered to each of the three is answered once;
  3. a quiz started through one replica and answered through another continues correctly;
  4. a fan-out of N nudges (default 3,000, all due in the same minute) during which one replica is
     killed with kill -9 ends with every nudge delivered, duplicates at most the killed replica's
     in-flight count, and nothing left pending; and the same fan-out with one replica, for the rate.
It prints a table (nudges/s with 1 and 3 replicas, duplicates, time to take over a dead replica's
work) and exits 1 on any failure. Everything it starts is stopped at the end.

    scripts/with-postgres.sh .build-venv/bin/python scripts/replica-test.py --flowlearn .build/debug/flowlearn
"""
import argparse
import collections
import datetime
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import http.server

from e2e_support import free_port, logger, wait_until

log = logger("replicas")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "replica-test-signing-secret"


class Sink:
    """Slack's Web API and response URLs, recording what arrives."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []  # (time, path, body as dict or text)
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode(errors="replace")).items()}
                with sink.lock:
                    sink.posts.append((time.monotonic(), self.path, body))
                answer = {"ok": True, "ts": f"{time.time():.6f}", "channel": body.get("channel", "C1") if isinstance(body, dict) else "C1"}
                if self.path.endswith("/conversations.open"):
                    answer["channel"] = {"id": "D" + str(body.get("users", "U"))}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a replica killed mid-request resets its connection: expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def matching(self, predicate):
        with self.lock:
            return [post for post in self.posts if predicate(post)]


def slack_headers(body, content_type):
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def post(url, body, headers, timeout=30):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def command(base, sink, user, channel, name, text, reply_id):
    body = urllib.parse.urlencode({
        "token": "x", "team_id": "T1", "team_domain": "replicas", "channel_id": channel, "channel_name": "directmessage",
        "user_id": user, "user_name": user.lower(), "command": name, "text": text, "api_app_id": "A1",
        "response_url": f"{sink.url}/commands/{reply_id}", "trigger_id": reply_id,
    }).encode()
    return post(base + "/slack/commands", body, slack_headers(body, "application/x-www-form-urlencoded"))


class Cluster:
    """FlowLearn replicas sharing one database, with their logs."""

    def __init__(self, binary, work, database_url, password, sink, lease_seconds):
        self.binary, self.work, self.sink = binary, work, sink
        self.database_url, self.password, self.lease_seconds = database_url, password, lease_seconds
        self.processes = {}

    def config(self, name, port):
        now = datetime.datetime.now(datetime.timezone.utc)
        quiet = (now + datetime.timedelta(hours=12)).strftime("%H:%M")
        quiet_end = (now + datetime.timedelta(hours=12, minutes=1)).strftime("%H:%M")
        config = {
            "server": {"port": port},
            "content": {"intents": os.path.join(ROOT, "Intents"), "encoder": ""},
            "matcher": {"model": "keyword"},
            "store": {"url": self.database_url, "passwordEnv": "FLOWLEARN_DATABASE_PASSWORD", "leaseSeconds": self.lease_seconds},
            "slack": {"enabled": True, "apiBaseURL": self.sink.url + "/api", "responseURLHosts": ["127.0.0.1"]},
            "nudges": {"planIntervalSeconds": 1, "perChannelPerSecond": 0, "concurrency": 16, "quietStart": quiet, "quietEnd": quiet_end,
                       "workingDays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "retryBackoffSeconds": 1},
            "poster": {"backoffSeconds": 0.05, "workers": 8},
        }
        path = os.path.join(self.work, f"{name}.json")
        with open(path, "w") as f:
            json.dump(config, f)
        return path

    def start(self, name):
        port = free_port()
        environment = dict(os.environ, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-replicas",
                           FLOWLEARN_DATABASE_PASSWORD=self.password)
        log_file = open(os.path.join(self.work, f"{name}.log"), "w")
        process = subprocess.Popen([self.binary, "serve", "--config", self.config(name, port)], stdout=log_file, stderr=subprocess.STDOUT,
                                   env=environment)
        self.processes[name] = (process, f"http://127.0.0.1:{port}")
        return f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout=120):
        for name, (process, base) in self.processes.items():
            wait_until(f"{name} /readyz", lambda: process.poll() is None and urllib.request.urlopen(base + "/readyz", timeout=2).status == 200,
                       timeout)

    def replica_id(self, name):
        with open(os.path.join(self.work, f"{name}.log")) as f:
            text = f.read()
        # The start-up line: "… id=<replica id> lease_seconds=10.0 [FlowLearnServer] replica"
        found = re.search(r"\bid=(\S+) lease_seconds=\S+ .*\breplica\b", text)
        return found.group(1) if found else None

    def kill(self, name):
        process, _ = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self):
        for process, _ in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process, _ in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def base(self, name):
        return self.processes[name][1]


def psql(admin_url, password, sql, database=None):
    url = admin_url if database is None else re.sub(r"/[^/?]+(\?|$)", f"/{database}\\1", admin_url, count=1)
    result = subprocess.run(["psql", url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True,
                            env=dict(os.environ, PGPASSWORD=password), timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def fresh_database(admin_url, password, name):
    psql(admin_url, password, f"DROP DATABASE IF EXISTS {name}")
    psql(admin_url, password, f"CREATE DATABASE {name}")
    return re.sub(r"/[^/?]+(\?|$)", f"/{name}\\1", admin_url, count=1)


def subscribe(cluster, names, sink, count, due_minute, first_user=0):
    """`/learn nudges on HH:MM UTC` from `count` people, spread over the replicas, concurrently."""
    errors = []

    def run(part):
        for index in range(first_user + part, first_user + count, 8):
            base = cluster.base(names[index % len(names)])
            status, _ = command(base, sink, f"U{index:05d}", f"D{index:05d}", "/learn", f"nudges on {due_minute} UTC", f"sub-{index}")
            if status != 200:
                errors.append(status)

    threads = [threading.Thread(target=run, args=(part,)) for part in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, f"subscriptions refused: {collections.Counter(errors)}"


def next_minute(margin_seconds):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=margin_seconds)
    at = at.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return at


def nudges(sink):
    # Personal nudges on Slack go to the person's user id (a direct message): U00000, U00001, …
    return sink.matching(lambda p: p[1].endswith("/chat.postMessage") and re.fullmatch(r"U\d{5,6}", str(p[2].get("channel", ""))) is not None)


def fan_out(cluster, names, sink, admin_url, password, database, count, kill=None, first_user=0):
    """Subscribes `count` people due next minute and waits until every nudge arrived; kills `kill` mid-way."""
    due = next_minute(margin_seconds=max(20, count / 100))
    subscribe(cluster, names, sink, count, due.strftime("%H:%M"), first_user)
    log(f"{count} subscriptions made; all due at {due.strftime('%H:%M')} UTC")
    before = len(nudges(sink))
    wait_until("the first nudges", lambda: len(nudges(sink)) > before, 150, every=0.05)
    first = time.monotonic()
    killed = None
    if kill:
        owner = cluster.replica_id(kill)
        assert owner, f"no replica id in {kill}'s log"
        in_flight_sql = f"SELECT COUNT(*) FROM nudge_outbox WHERE state = 'sending' AND lease_owner = '{owner}'"
        # Kill it while it holds nudges it is sending: those are the ones another replica must finish.
        wait_until(f"{kill} sending nudges", lambda: int(psql(admin_url, password, in_flight_sql, database) or 0) > 0, 60, every=0.02)
        cluster.kill(kill)
        in_flight = int(psql(admin_url, password, in_flight_sql, database) or 0)
        killed = (time.monotonic(), in_flight, owner)
        log(f"killed {kill} with kill -9 while it held {in_flight} nudges being sent")

    def done():
        channels = {p[2].get("channel") for p in nudges(sink)[before:]}
        return len(channels) >= count

    wait_until(f"all {count} nudges delivered", done, 60 + 3 * cluster.lease_seconds + count / 50, every=0.1)
    delivered = nudges(sink)[before:]
    last = max(p[0] for p in delivered)
    # The last posts may still be being marked sent: wait (bounded) for the outbox to empty.
    unsent_sql = "SELECT COUNT(*) FROM nudge_outbox WHERE state IN ('pending', 'sending')"
    try:
        wait_until("the outbox to empty", lambda: int(psql(admin_url, password, unsent_sql, database) or 0) == 0,
                   10 + 2 * cluster.lease_seconds, every=0.2)
    except AssertionError:
        pass
    pending = psql(admin_url, password, unsent_sql, database)
    duplicates = len(delivered) - len({p[2].get("channel") for p in delivered})
    takeover = None
    if killed:
        # The dead replica's leased nudges are delivered by another once the lease expires.
        takeover = last - killed[0]
    return {"rate": count / max(0.001, last - first), "duplicates": duplicates, "pending": int(pending or 0), "killed": killed,
            "takeover": takeover, "seconds": last - first}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flowlearn", required=True)
    parser.add_argument("--nudges", type=int, default=3000)
    parser.add_argument("--lease-seconds", type=float, default=10)
    args = parser.parse_args()
    admin_url = os.environ.get("FLOWLEARN_TEST_POSTGRES_URL")
    password = os.environ.get("FLOWLEARN_TEST_POSTGRES_PASSWORD", "")
    if not admin_url:
        sys.exit("replica-test: run it under scripts/with-postgres.sh (FLOWLEARN_TEST_POSTGRES_URL is not set)")
    if not shutil.which("psql"):
        sys.exit("replica-test: psql is missing (Debian's postgresql-client)")

    work = tempfile.mkdtemp(prefix="flowlearn-replicas-")
    sink = Sink()
    cluster = None
    results = {}
    try:
        # -- Three replicas.
        database = "flowlearn_replicas_three"
        url = fresh_database(admin_url, password, database)
        cluster = Cluster(args.flowlearn, work, url, password, sink, args.lease_seconds)
        names = ["a", "b", "c"]
        for name in names:
            cluster.start(name)
        cluster.wait_ready()
        log("three replicas ready on one database: " + ", ".join(f"{n}={cluster.replica_id(n)}" for n in names))

        # 1. Requests spread over the three are all answered.
        answered = 0
        for index in range(30):
            name = names[index % 3]
            status, body = command(cluster.base(name), sink, f"Q{index:03d}", "C0001", "/learn", "how do I get reimbursed for a taxi", f"ask-{index}")
            assert status == 200, (name, status)
            answered += "Taxi" in json.loads(body).get("text", "")  # the answer comes back in the acknowledgement
        assert answered == 30, answered
        log("30 questions spread over the three replicas: 30 answers")

        # 2. The same Slack event, delivered to each replica, is answered once.
        ts = f"{time.time():.6f}"
        event = json.dumps({
            "token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": "EvReplicaOnce1",
            "event_time": int(time.time()), "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
            "event": {"type": "app_mention", "user": "UMENTION", "text": "<@UBOT> how do I get reimbursed for a taxi", "ts": ts,
                      "channel": "CEVENT1", "event_ts": ts},
        }).encode()
        threads = [threading.Thread(target=post, args=(cluster.base(n) + "/slack/events", event, slack_headers(event, "application/json")))
                   for n in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wait_until("the answer to the event", lambda: sink.matching(lambda p: p[2].get("channel") == "CEVENT1"), 30)
        time.sleep(2)  # a second answer, if there were one, would come within this
        answers = sink.matching(lambda p: p[2].get("channel") == "CEVENT1")
        assert len(answers) == 1, f"the event was answered {len(answers)} times"
        log("one Slack event sent to all three replicas: answered once")

        # 3. A quiz started on one replica and answered on another.
        status, body = command(cluster.base("a"), sink, "UQUIZ", "DQUIZ", "/quiz", "", "quiz-start")
        assert status == 200, status
        first = json.loads(body or b"{}")
        button = next((e for b in first.get("blocks", []) if b.get("type") == "actions" for e in b.get("elements", [])
                       if str(e.get("action_id", "")).startswith("quiz.pick.") or e.get("action_id") == "quiz.submit"), None)
        assert button, f"no quiz buttons in {str(first)[:300]}"
        block = next(b for b in first.get("blocks", []) if b.get("type") == "actions" and button in b.get("elements", []))
        payload = {
            "type": "block_actions", "user": {"id": "UQUIZ", "username": "uquiz", "team_id": "T1"}, "api_app_id": "A1", "token": "x",
            "container": {"type": "message", "message_ts": "1.0", "channel_id": "DQUIZ", "is_ephemeral": True}, "trigger_id": "t",
            "team": {"id": "T1", "domain": "replicas"}, "channel": {"id": "DQUIZ"}, "response_url": f"{sink.url}/commands/quiz-answer",
            "state": {"values": {block.get("block_id", ""): {"quiz.select": {"type": "checkboxes", "selected_options": [{"value": "0"}]}}}},
            "actions": [{"type": "button", "action_id": button["action_id"], "block_id": block.get("block_id", ""), "value": button.get("value", ""),
                         "action_ts": "1.0"}],
        }
        click = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        status, _ = post(cluster.base("b") + "/slack/interactions", click, slack_headers(click, "application/x-www-form-urlencoded"))
        assert status == 200, status
        reply = wait_until("the quiz's next step", lambda: sink.matching(lambda p: p[1] == "/commands/quiz-answer"), 30)
        text = json.dumps(reply[0][2]).lower()
        assert "2/" in text or "question 2" in text or "right" in text or "not quite" in text or "correct" in text, text[:400]
        log("a quiz started on replica a and answered on replica b continued")

        # 4. The fan-out on three replicas, for the rate; then another, with replica c killed part-way.
        results["three-rate"] = fan_out(cluster, names, sink, admin_url, password, database, args.nudges, first_user=50_000)
        log(f"fan-out with three replicas: {args.nudges} delivered at {results['three-rate']['rate']:.0f}/s")
        results["three"] = fan_out(cluster, names, sink, admin_url, password, database, args.nudges, kill="c")
        three = results["three"]
        log(f"fan-out with three replicas: {args.nudges} delivered, {three['duplicates']} duplicates, {three['pending']} pending")
        cluster.stop()

        # -- One replica, for the rate.
        database = "flowlearn_replicas_one"
        url = fresh_database(admin_url, password, database)
        cluster = Cluster(args.flowlearn, work, url, password, sink, args.lease_seconds)
        cluster.start("solo")
        cluster.wait_ready()
        results["one"] = fan_out(cluster, ["solo"], sink, admin_url, password, database, args.nudges)
        cluster.stop()

        one = results["one"]
        killed_in_flight = three["killed"][1] if three["killed"] else 0
        print()
        print("| replicas | nudges | nudges/s | duplicates | left pending | killed replica's in-flight | last delivery after the kill (s) |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        rate = results["three-rate"]
        print(f"| 1 | {args.nudges} | {one['rate']:.0f} | {one['duplicates']} | {one['pending']} | – | – |")
        print(f"| 3 | {args.nudges} | {rate['rate']:.0f} | {rate['duplicates']} | {rate['pending']} | – | – |")
        print(f"| 3 (one killed) | {args.nudges} | {three['rate']:.0f} | {three['duplicates']} | {three['pending']} | {killed_in_flight} | "
              f"{three['takeover']:.1f} |")
        print(f"(lease {args.lease_seconds:.0f} s; nudges/s from the first delivery to the last)")
        assert three["pending"] == 0 and one["pending"] == 0, "nudges left pending"
        assert one["duplicates"] == 0 and rate["duplicates"] == 0 and rate["pending"] == 0, "duplicates or pending without a kill"
        bound = min(killed_in_flight, 16)  # what it held, and at most nudges.concurrency being posted at once
        assert three["duplicates"] <= bound, f"{three['duplicates']} duplicates, more than the {bound} it could have been posting"
        print("replica test: PASS")
        return 0
    except Exception:
        for name in sorted(os.listdir(work)):
            if name.endswith(".log"):
                with open(os.path.join(work, name)) as f:
                    sys.stderr.write(f"--- {name} (last 25 lines) ---\n" + "".join(f.readlines()[-25:]))
        raise
    finally:
        if cluster:
            cluster.stop()
        sink.server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
