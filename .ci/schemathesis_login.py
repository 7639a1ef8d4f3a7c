"""Signs in as the demo's admin from `huanjie demo`'s banner (its password and TOTP key, printed
once) and prints `COOKIE<TAB>CSRF`. The TOTP code is RFC 6238 (HMAC-SHA1, 6 digits, 30 s), as
src/service/totp.rs computes it."""

import base64
import hashlib
import hmac
import json
import re
import struct
import sys
import time
import urllib.request

banner, base = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
password = re.search(r"^\s+admin\s+(\S+)\s+\(", banner, re.M).group(1)
key = re.search(r"TOTP key ([A-Z2-7=]+)", banner).group(1)
secret = base64.b32decode(key + "=" * (-len(key) % 8))
step = int(time.time()) // 30
mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
off = mac[-1] & 0x0F
code = "%06d" % ((struct.unpack(">I", mac[off : off + 4])[0] & 0x7FFFFFFF) % 1_000_000)
req = urllib.request.Request(
    base + "/api/v1/session",
    data=json.dumps({"username": "admin", "password": password, "code": code}).encode(),
    headers={"Content-Type": "application/json"},
    method="POST",
)
with urllib.request.urlopen(req) as r:
    body = json.load(r)
    cookie = next(c.split(";")[0] for c in r.headers.get_all("Set-Cookie") if c.startswith("hj_session="))
print(f"{cookie}\t{body['csrf_token']}")
