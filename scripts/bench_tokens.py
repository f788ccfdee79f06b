"""Access tokens for the benchmark, signed with CANOPY_JWT_SECRET as logIn would issue them.

    bench_tokens.py PERSON_ID            print one token
    bench_tokens.py --bodies RAW OUT     "<person id> <body>" lines -> "<token>\t<body>" lines
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import uuid


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def mint(person_id: str) -> str:
    now = int(time.time())
    claims = {"iss": "canopy", "aud": "canopy-api", "sub": person_id, "exp": now + 3600,
              "iat": now, "jti": str(uuid.uuid4()), "typ": "access"}
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." + b64(json.dumps(claims).encode())
    sig = hmac.new(os.environ["CANOPY_JWT_SECRET"].encode(), head, hashlib.sha256).digest()
    return (head + b"." + b64(sig)).decode()


if sys.argv[1] == "--bodies":
    with open(sys.argv[2]) as raw, open(sys.argv[3], "w") as out:
        for line in raw:
            person, body = line.rstrip("\n").split(" ", 1)
            out.write(mint(person) + "\t" + body + "\n")
else:
    print(mint(sys.argv[1]))
