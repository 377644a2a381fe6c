#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Tests/Fuzz/Corpus/TARGET/NAME) from the tests' fixtures.

The JSON fixtures of Tests/SlackTests/Fixtures and the content files of Intents/ are copied; the other
platforms' payloads are the shapes the server tests build (Tests/ServerTests/*Tests.swift, named in
each seed's file name). Run it again after changing a fixture; the output is committed.
    python3 scripts/make-fuzz-seeds.py
"""
import base64
import hashlib
import hmac
import json
import pathlib
import shutil
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Tests" / "Fuzz" / "Corpus"
SLACK_FIXTURES = ROOT / "Tests" / "SlackTests" / "Fixtures"


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes):
        data = json.dumps(data, ensure_ascii=False).encode()
    (folder / name).write_bytes(data)


def form(fields):
    return "&".join(f"{key}={urllib.parse.quote(value, safe='-._~')}" for key, value in fields)


def slack_command(text, command="/learn"):  # SlackRequests.slashCommand
    return form([
        ("token", "gIkuvaNzQIHg97ATvDxqgjtO"), ("team_id", "T0001"), ("team_domain", "lumio"),
        ("channel_id", "C2147483705"), ("channel_name", "general"), ("user_id", "U2147483697"),
        ("user_name", "sam"), ("command", command), ("text", text), ("api_app_id", "A123456"),
        ("response_url", "https://hooks.slack.com/commands/T0001/1/x"), ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
    ])


def slack_actions(action_id, value, block_id="quiz:block", selected=()):  # SlackRequests.blockActions
    payload = {
        "type": "block_actions",
        "user": {"id": "U2147483697", "username": "sam", "name": "sam", "team_id": "T0001"},
        "api_app_id": "A123456", "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {"type": "message", "message_ts": "1548426417.840180", "channel_id": "C2147483705", "is_ephemeral": True},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0", "team": {"id": "T0001", "domain": "lumio"},
        "channel": {"id": "C2147483705", "name": "general"}, "response_url": "https://hooks.slack.com/actions/T0001/1/x",
        "state": {"values": {block_id: {"quiz.select": {"type": "checkboxes", "selected_options": [{"value": str(v)} for v in selected]}}}},
        "actions": [{"type": "button", "action_id": action_id, "block_id": block_id, "value": value,
                     "text": {"type": "plain_text", "text": "A"}, "action_ts": "1548426719.787070"}],
    }
    return form([("payload", json.dumps(payload))])


def mattermost_command(command, text):  # MattermostTests.command
    return form([
        ("channel_id", "hbtqpbjnk3nxbcnhw7fmfmnxgw"), ("channel_name", "town-square"), ("command", command),
        ("response_url", "http://127.0.0.1:1/hooks/commands/x"), ("team_domain", "lumio"), ("team_id", "tkd9w5pcp3y6zrbqzezaaeht4c"),
        ("text", text), ("token", "learn-token"), ("trigger_id", "3b1c6b1e"), ("user_id", "w3nk9yjjfbbczmfrcftgwk6xoh"), ("user_name", "alice"),
    ])


def teams_activity(text, id="1764500000001"):  # TeamsTests.activity
    return {
        "type": "message", "id": id, "timestamp": "2026-11-30T13:00:00.000Z", "localTimestamp": "2026-11-30T14:00:00.000+01:00",
        "serviceUrl": "https://smba.trafficmanager.net/emea/", "channelId": "msteams",
        "from": {"id": "29:1abcDEF", "name": "Alice Jansen", "aadObjectId": "6b7a1c2d-0000-4e5f-9a8b-1234567890ab"},
        "conversation": {"isGroup": True, "id": "19:abc@thread.tacv2;messageid=1764500000001", "conversationType": "channel"},
        "recipient": None, "textFormat": "plain", "locale": "en-US", "text": f"<at>FlowLearn</at>&nbsp;{text}\n",
        "attachments": [{"contentType": "text/html", "content": f"<div><span itemscope itemtype=\"http://schema.skype.com/Mention\" itemid=\"0\">FlowLearn</span> {text}</div>"}],
        "entities": [{"type": "mention", "mentioned": {"id": "28:flowlearn", "name": "FlowLearn"}, "text": "<at>FlowLearn</at>"}],
        "channelData": {"teamsChannelId": "19:abc@thread.tacv2", "teamsTeamId": "19:team@thread.tacv2", "tenant": {"id": "72f988bf"}},
    }


def discord_command(name, option=None):  # DiscordTests.command
    data = {"id": "1179999999999999999", "name": name, "type": 1}
    if option:
        data["options"] = [{"name": option[0], "type": 3, "value": option[1]}]
    return {
        "type": 2, "id": "1180000000000000001", "application_id": "1170000000000000000", "token": "aW50ZXJhY3Rpb24tdG9rZW4",
        "guild_id": "1160000000000000000", "channel_id": "1150000000000000000", "version": 1, "locale": "en-US",
        "member": {"user": {"id": "1140000000000000000", "username": "alice", "global_name": "Alice"}, "roles": [], "permissions": "2147483648"},
        "data": data,
    }


def discord_click(custom_id, values=None):  # DiscordTests.click
    data = {"custom_id": custom_id, "component_type": 2 if values is None else 3}
    if values is not None:
        data["values"] = values
    return {
        "type": 3, "id": "1180000000000000002", "application_id": "1170000000000000000", "token": "dG9rZW4tMg",
        "guild_id": "1160000000000000000", "channel_id": "1150000000000000000", "version": 1,
        "message": {"id": "1190000000000000000", "content": "", "flags": 64},
        "member": {"user": {"id": "1140000000000000000", "username": "alice"}}, "data": data,
    }


def matrix_message(body, id, mentions=None):  # MatrixTests.message
    content = {"msgtype": "m.text", "body": body}
    if mentions:
        content["m.mentions"] = {"user_ids": mentions}
    return {"type": "m.room.message", "event_id": id, "room_id": "!room:example.org", "sender": "@alice:example.org",
            "origin_server_ts": 1764500000000, "content": content, "unsigned": {"age": 12}}


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)

    for fixture in sorted(SLACK_FIXTURES.glob("*.json")):
        if fixture.name.startswith("block_actions"):
            write("slack-interactions", fixture.name, form([("payload", fixture.read_text())]))
        elif not fixture.name.startswith("quiz_"):
            write("slack-events", fixture.name, fixture.read_bytes())
    write("slack-events", "malformed.json", '{"type":"event_callback","event":')

    for name, text, command in [("learn-taxi", "how do I get reimbursed for a taxi ride?", "/learn"), ("learn-help", "help", "/learn"),
                                ("quiz", "", "/quiz"), ("quiz-topic", "meetings", "/quiz"), ("quiz-stats", "stats", "/quiz"),
                                ("nudges-on", "nudges on 09:30", "/learn"), ("nudges-pause", "nudges pause 2w", "/learn")]:
        write("slack-commands", name, slack_command(text, command))
    write("slack-commands", "not-utf8", b"token=x&text=%FF%FEtaxi&command=%2Flearn")
    write("slack-interactions", "pick", slack_actions("quiz.pick.1", "s1:0:1", "quiz:s1:0"))
    write("slack-interactions", "submit", slack_actions("quiz.submit", "s1:2", "quiz:s1:2", selected=(0, 2)))
    write("slack-interactions", "easy", slack_actions("quiz.easy", "s1:0"))
    write("slack-interactions", "nudge-less", slack_actions("nudge.less", "2026-12-01:slack:T0001:U1", "nudge:k"))
    write("slack-interactions", "answer-helpful", slack_actions("answer.helpful", "0123456789abcdef", "answer:0123456789abcdef"))

    for name, command, text in [("learn-taxi", "/learn", "how do I get reimbursed for a taxi ride?"), ("quiz", "/quiz", ""),
                                ("quiz-answer", "/quiz", "1"), ("nudges-on", "/learn", "nudges on 09:30")]:
        write("mattermost-commands", name, mattermost_command(command, text))
    outgoing = {"token": "outgoing-token-123", "team_id": "tkd9w5pcp3y6zrbqzezaaeht4c", "channel_id": "hbtqpbjnk3nxbcnhw7fmfmnxgw",
                "post_id": "p1", "user_id": "w3nk9yjjfbbczmfrcftgwk6xoh", "user_name": "alice", "trigger_word": "@flowlearn",
                "text": "@flowlearn how do I claim a taxi?"}
    write("mattermost-outgoing", "json", b"\x00" + json.dumps(outgoing).encode())  # first byte even: JSON
    write("mattermost-outgoing", "form", b"\x01" + form(list(outgoing.items())).encode())  # odd: a form
    vote_sig = base64.b64encode(hmac.new(hashlib.sha256(b"action-secret").digest(), b"answer|0123456789abcdef|yes", hashlib.sha256).digest()).decode()
    write("mattermost-actions", "answer-vote", {"user_id": "w3nk9yjjfbbczmfrcftgwk6xoh", "team_id": "tkd9w5pcp3y6zrbqzezaaeht4c", "post_id": "p1",
                                                "trigger_id": "tr2", "type": "button",
                                                "context": {"answer": "0123456789abcdef", "vote": "yes", "sig": vote_sig}})
    # Contexts signed as Mattermost.sign does, with the action secret of Tests/Fuzz/Targets.swift.
    action_key = hashlib.sha256(b"action-secret").digest()
    user = "w3nk9yjjfbbczmfrcftgwk6xoh"
    for name, signed, extra in [("choice", f"s1|0|1|{user}", {"choice": 1}), ("refine", f"s1|0|refine:easy|{user}", {"refine": "easy"})]:
        sig = base64.b64encode(hmac.new(action_key, signed.encode(), hashlib.sha256).digest()).decode()
        context = {"session": "s1", "position": 0, **extra, "user": user, "sig": sig}
        write("mattermost-actions", name, {"user_id": user, "user_name": "alice", "channel_id": "hbtqpbjnk3nxbcnhw7fmfmnxgw",
                                           "team_id": "tkd9w5pcp3y6zrbqzezaaeht4c", "post_id": "p1", "trigger_id": "tr1", "type": "button",
                                           "context": context})

    for name, text in [("question", "how do I claim a taxi &amp; a train?"), ("quiz", "quiz meetings"), ("answer", "2"), ("nudges", "nudges on 09:30")]:
        write("teams-activities", name, teams_activity(text))

    write("discord-interactions", "ping", {"type": 1, "id": "1", "application_id": "2", "token": "t"})
    write("discord-interactions", "learn", discord_command("learn", ("question", "how do I get reimbursed for a taxi ride?")))
    write("discord-interactions", "quiz", discord_command("quiz"))
    write("discord-interactions", "pick", discord_click("quiz:s1:0:1"))
    write("discord-interactions", "select", discord_click("quizsel:s1:2", values=["0", "2"]))
    write("discord-interactions", "refine", discord_click("quizrefine:s1:0:easy"))
    write("discord-interactions", "answer-vote", discord_click("answer:0123456789abcdef:yes"))

    invite = {"type": "m.room.member", "event_id": "$2", "room_id": "!dm:example.org", "sender": "@alice:example.org",
              "state_key": "@flowlearn:example.org", "content": {"membership": "invite", "is_direct": True, "displayname": "flowlearn"}}
    write("matrix-transactions", "message", {"events": [matrix_message("@flowlearn:example.org how do I claim a taxi?", "$1", ["@flowlearn:example.org"])]})
    write("matrix-transactions", "mixed", {"events": [
        invite, matrix_message("!quiz", "$3"), matrix_message("nudges on 09:30", "$4"),
        {"type": "m.room.message", "event_id": "$5", "room_id": "!r:example.org", "sender": "@alice:example.org", "content": {"msgtype": "m.image", "body": "cat.png"}},
        {"type": "m.reaction", "event_id": "$6", "room_id": "!r:example.org", "sender": "@alice:example.org", "content": {}},
        {"type": "m.room.message", "event_id": "$odd", "room_id": "!r:example.org", "sender": "@a:example.org", "content": {"msgtype": "m.text", "body": 1}},
    ]})

    # Valid signatures for the secrets in Tests/Fuzz/Targets.swift, so the seeds pass the checks.
    body = "token=x&text=taxi"
    slack = hmac.new(b"8f742231b10e8888abcd99yyyzzz85a5", f"v0:1764500000:{body}".encode(), hashlib.sha256).hexdigest()
    write("signatures", "slack", f"1764500000\nv0={slack}\n{body}")
    teams_body = '{"type":"message","text":"taxi"}'
    teams = base64.b64encode(hmac.new(base64.b64decode("c2VjdXJpdHktdG9rZW4tZm9yLXRlc3Rz"), teams_body.encode(), hashlib.sha256).digest()).decode()
    write("signatures", "teams", f"HMAC {teams}\n\n{teams_body}")
    write("signatures", "discord", "1764500000\n" + "00" * 64 + "\n{\"type\":1}")
    write("signatures", "bearer", "Bearer hs-token\nhs-token\n")
    write("signatures", "mattermost", "Token learn-token\n\n")

    # Conversations: the first byte picks the platform (low 3 bits) and the starting state (bits 3-5).
    for name, control, lines in [
        ("slack-ask", 0, ["/learn how do I get reimbursed for a taxi?", "/learn help", "what about lunch with a client?"]),
        ("slack-quiz", 0, ["/quiz", "#0 1", "#easy 0", "/quiz stats", "/quiz leaderboard", "/quiz stop"]),
        ("teams-quiz-typed", 3, ["quiz expenses", "2", "B", "1,3", "quiz stop"]),
        ("matrix-nudges", 4, ["nudges on 09:30", "nudges pause 2w", "nudges time 08:15 Europe/Amsterdam", "nudges topics security", "nudges off"]),
        ("discord-running-quiz", 2 | 8, ["1\uFE0F\u20E3", "#1 0 2", "#guessed 1", "/quiz"]),
        ("console-paused", 5 | 16 | 32, ["nudges", "nudges resume", "how do I connect to the VPN?", "\u0645\u0631\u062d\u0628\u0627 taxi"]),
    ]:
        write("conversation", name, bytes([control]) + "\n".join(lines).encode())

    for nugget in sorted((ROOT / "Intents").glob("*/*.md")):
        write("nugget-files", nugget.parent.name + "-" + nugget.name, nugget.read_bytes())
    write("nugget-files", "fixture-good.md", (ROOT / "Tests" / "CoreTests" / "Fixtures" / "pack" / "good.md").read_bytes())
    for quiz in sorted((ROOT / "Intents").glob("*/quiz.yaml")):
        write("quiz-files", quiz.parent.name + ".yaml", quiz.read_bytes())

    write("configuration", "config.example.json", (ROOT / "config.example.json").read_bytes())
    write("configuration", "empty-object.json", "{}")
    write("configuration", "unknown-key.json", '{"server": {"prot": 8080}}')

    write("csv", "quoted.csv", 'text,label\r\nplain question,a\n"with, comma",b\n"say ""hi""",c\n"two\nlines",oos\n')
    write("csv", "bom.csv", "\ufeffText, label\nq one,a \nq two, a\n")
    for dataset in sorted((ROOT / "bench" / "questions").glob("*.csv"))[:2]:
        write("csv", dataset.name, "\n".join(dataset.read_text().splitlines()[:40]) + "\n")


if __name__ == "__main__":
    main()
