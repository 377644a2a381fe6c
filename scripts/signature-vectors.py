#!/usr/bin/env python3
"""Known-answer vectors for the Teams and Discord signature tests, computed outside FlowLearn:
Teams with Python's hmac (HMAC-SHA256 keyed by the base64-decoded security token, base64 of the
digest after "HMAC "), Discord with the `cryptography` package's Ed25519 (over timestamp + body).
Run: python3 scripts/signature-vectors.py   (needs `cryptography` from PyPI); paste into
Tests/ServerTests/SignatureVectorTests.swift.
"""
import base64
import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

token = base64.b64encode(b"a shared secret of thirty-two b.").decode()
body = b'{"type":"message","id":"1764500000001","text":"<at>FlowLearn</at> how do I claim a taxi?"}'
digest = hmac.new(base64.b64decode(token), body, hashlib.sha256).digest()
print("teams token     ", token)
print("teams body      ", body.decode())
print("teams header    ", "HMAC " + base64.b64encode(digest).decode())

seed = bytes((i * 7) % 251 for i in range(32))
key = Ed25519PrivateKey.from_private_bytes(seed)
public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
timestamp = b"1764500000"
interaction = b'{"type":1,"id":"1180000000000000000","application_id":"1170000000000000000","token":"tok","version":1}'
print("discord public  ", public.hex())
print("discord time    ", timestamp.decode())
print("discord body    ", interaction.decode())
print("discord sig     ", key.sign(timestamp + interaction).hex())
