#!/usr/bin/env python3
"""Receiver benchmark: signed Slack requests into `flowlearn serve` (release) under wrk, against a bare
Hummingbird POST route on the same machine in the same run.

    bench/receiver/run.sh [--runs 3] [--seconds 10] [--connections 32]

Starts `flowlearn-receiver-bench` (the bare route `/bare` and a sink `/sink/...` that answers 200 at
once) and `flowlearn serve` with Slack on, its `response_url`s and Web API pointed at the sink, on a
fresh SQLite store. For each kind of request it writes a wrk Lua script with requests signed just
before the run (Slack's signature, a timestamp within the 5-minute window; Events API events each
with their own `event_id`, so none is a duplicate) and runs `wrk -t2 -cN -dS --latency`. Prints one
Markdown table: requests/s, p50 and p99 per kind, each the median of the runs, and the ratio of
requests/s to the bare route's.

`/learn QUESTION` cycles through the 120 questions of bench/questions/starter-dev.csv, as people ask
the same questions again and again: after the first round each wording's decision comes from the
matcher's cache. `/learn QUESTION, each asked once` gives every request a wording never asked before
(the question with ` #N` after it), so every one is matched afresh (with the semantic engine, embedded).
"""
import argparse
import hashlib
import hmac
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "receiver-bench-signing-secret"


def questions():
    texts = []
    with open(os.path.join(ROOT, "bench", "questions", "starter-dev.csv")) as file:
        for line in file.read().splitlines()[1:]:
            text = line.rsplit(",", 1)[0].strip('"')
            if text:
                texts.append(text)
    return texts


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def signed(body, content_type):
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def command(text, sink, number, name="/learn"):
    return urllib.parse.urlencode({
        "token": "x", "team_id": "T0001", "team_domain": "bench", "channel_id": "C0001", "channel_name": "general",
        "user_id": f"U{number % 500:04d}", "user_name": "bench", "command": name, "text": text, "api_app_id": "A1",
        "response_url": f"{sink}/sink/response/{number}", "trigger_id": f"{number}.1.x",
    })


def mention(text, number):
    ts = f"1764500000.{number:06d}"
    return json.dumps({
        "token": "x", "team_id": "T0001", "api_app_id": "A1", "type": "event_callback", "event_id": f"EvBench{time.time_ns()}{number}",
        "event_time": 1764500000, "authorizations": [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}],
        "event": {"type": "app_mention", "user": f"U{number % 500:04d}", "text": "<@UBOT> " + text, "ts": ts, "channel": "C0001", "event_ts": ts},
    })


def script(kind, sink, count, folder):
    """A wrk script that sends `count` distinct requests of one kind, split between wrk's threads."""
    texts = questions()
    entries = []
    for number in range(count):
        text = texts[number % len(texts)]
        if kind == "bare":
            path, body, headers = "/bare", command(text, sink, number), {"Content-Type": "application/x-www-form-urlencoded"}
        elif kind == "learn":
            body = command(text, sink, number)
            path, headers = "/slack/commands", signed(body, "application/x-www-form-urlencoded")
        elif kind == "fresh":
            body = command(f"{text} #{number}", sink, number)
            path, headers = "/slack/commands", signed(body, "application/x-www-form-urlencoded")
        elif kind == "help":
            body = command("help", sink, number)
            path, headers = "/slack/commands", signed(body, "application/x-www-form-urlencoded")
        elif kind == "stats":
            body = command("stats", sink, number, name="/quiz")
            path, headers = "/slack/commands", signed(body, "application/x-www-form-urlencoded")
        else:
            body = mention(text, number)
            path, headers = "/slack/events", signed(body, "application/json")
        entries.append("\t".join([path, headers["Content-Type"], headers.get("X-Slack-Request-Timestamp", ""),
                                   headers.get("X-Slack-Signature", ""), body]))
    # The requests go in a data file the script reads at start: a Lua table that large exceeds
    # LuaJIT's limit on constants per function.
    data = os.path.join(folder, f"{kind}.tsv")
    with open(data, "w") as file:
        file.write("\n".join(entries) + "\n")
    lua = (
        "local requests = {}\n"
        f"for line in io.lines({lua_string(data)}) do\n"
        "  local path, ctype, stamp, sig, body = line:match('^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$')\n"
        "  local headers = {['Content-Type'] = ctype}\n"
        "  if stamp ~= '' then headers['X-Slack-Request-Timestamp'] = stamp; headers['X-Slack-Signature'] = sig end\n"
        "  requests[#requests + 1] = {path, headers, body}\n"
        "end\n"
        "local threads = 0\n"
        "function setup(thread) thread:set('id', threads); threads = threads + 1 end\n"
        "function init(args) counter = id or 0 end\n"
        "function request()\n"
        "  local r = requests[(counter % #requests) + 1]\n"
        "  counter = counter + 2\n"
        "  return wrk.format('POST', r[1], r[2], r[3])\n"
        "end\n"
    )
    path = os.path.join(folder, f"{kind}.lua")
    with open(path, "w") as file:
        file.write(lua)
    return path


def wrk(url, lua, seconds, connections):
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua, url],
        check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {}
    for percentile, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M):
        latency[percentile] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return rate, latency.get("50", float("nan")), latency.get("99", float("nan")), int(non2xx.group(1)) if non2xx else 0, errors.group(1) if errors else ""


def start(command_line, env=None, log=None):
    process = subprocess.Popen(command_line, stdout=subprocess.PIPE if log is None else log, stderr=subprocess.STDOUT if log is None else log,
                               env=env, text=True)
    return process


def wait_port(process=None, log_path=None, pattern=r"port (\d+)"):
    deadline = time.time() + 180
    while time.time() < deadline:
        if log_path:
            with open(log_path) as file:
                match = re.search(pattern, file.read())
        else:
            line = process.stdout.readline()
            match = re.search(pattern, line)
        if match:
            return int(match.group(1))
        if process is not None and process.poll() is not None:
            sys.exit("receiver bench: a process exited early")
        time.sleep(0.05 if log_path else 0)
    sys.exit("receiver bench: no port within 180 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--model", default="auto", help="matcher.model for flowlearn serve")
    arguments = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="flowlearn-receiver-bench-")
    bench = start([os.path.join(ROOT, ".build/release/flowlearn-receiver-bench")])
    bench_port = wait_port(bench)
    sink = f"http://127.0.0.1:{bench_port}"
    config = {
        "server": {"port": 0}, "content": {"intents": os.path.join(ROOT, "Intents"), "encoder": os.path.join(ROOT, ".build-model/all-MiniLM-L6-v2")},
        "matcher": {"model": arguments.model}, "store": {"path": os.path.join(folder, "flowlearn.sqlite")},
        "slack": {"apiBaseURL": sink + "/sink/api", "responseURLHosts": ["127.0.0.1"], "botUserID": "UBOT"},
        "nudges": {"enabled": False}, "log": {"level": "info"},  # the default level: its cost is part of the figure
    }
    config_path = os.path.join(folder, "config.json")
    with open(config_path, "w") as file:
        json.dump(config, file)
    log_path = os.path.join(folder, "serve.log")
    log = open(log_path, "w")
    env = dict(os.environ, SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-bench")
    serve = start([os.path.join(ROOT, ".build/release/flowlearn"), "serve", "--config", config_path], env=env, log=log)
    try:
        serve_port = wait_port(serve, log_path, r"address=\S*:(\d+)")
        kinds = [("bare", "bare route (POST /bare)", sink), ("learn", "/learn QUESTION (signed)", None),
                 ("fresh", "/learn QUESTION, each asked once", None),
                 ("help", "/learn help", None), ("stats", "/quiz stats", None), ("mention", "Events API app_mention", None)]
        results = {}
        for run in range(arguments.runs):
            for kind, _, base in kinds:
                # Enough distinct requests for the run (events must not repeat), signed just now.
                lua = script(kind, sink, 120_000 if kind in ("mention", "fresh") else 2_000, folder)
                rate, p50, p99, non2xx, errors = wrk(base or f"http://127.0.0.1:{serve_port}", lua, arguments.seconds, arguments.connections)
                results.setdefault(kind, []).append((rate, p50, p99, non2xx, errors))
                print(f"run {run + 1} {kind}: {rate:.0f}/s p50 {p50:.2f} ms p99 {p99:.2f} ms non-2xx {non2xx} {errors}", file=sys.stderr)
        bare = statistics.median(r[0] for r in results["bare"])
        print(f"| request | requests/s | p50 ms | p99 ms | ratio to bare | non-2xx |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for kind, label, _ in kinds:
            rows = results[kind]
            rate = statistics.median(r[0] for r in rows)
            print(f"| {label} | {rate:,.0f} ({', '.join(f'{r[0]:,.0f}' for r in rows)}) | {statistics.median(r[1] for r in rows):.2f} | "
                  f"{statistics.median(r[2] for r in rows):.2f} | {rate / bare:.2f} | {sum(r[3] for r in rows)} |")
    finally:
        serve.terminate()
        bench.terminate()
        serve.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
