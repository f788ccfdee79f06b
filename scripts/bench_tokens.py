"""Access tokens for the benchmark, signed with CANOPY_JWT_SECRET as logIn would issue them.

An access token names its session (`sid`), and the server accepts it only while that session
(a refresh-token family) is live, so each person gets one benchmark session: the SQL that
creates those sessions is written beside the tokens, to be run against the benchmark database
before the load starts.

    bench_tokens.py [--sqlite] PERSON_ID SESSIONS_SQL   print one token
    bench_tokens.py [--sqlite] --bodies RAW OUT         "<person id> <body>" lines ->
                                                        "<token>\t<body>" lines in OUT, and
                                                        the sessions in OUT.sessions.sql
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


def session_of(person_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "canopy-bench-session:" + person_id))


def mint(person_id: str) -> str:
    now = int(time.time())
    claims = {"iss": "canopy", "aud": "canopy-api", "sub": person_id, "exp": now + 3600,
              "iat": now, "jti": str(uuid.uuid4()), "typ": "access", "sid": session_of(person_id)}
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." + b64(json.dumps(claims).encode())
    sig = hmac.new(os.environ["CANOPY_JWT_SECRET"].encode(), head, hashlib.sha256).digest()
    return (head + b"." + b64(sig)).decode()


def session_rows(people, sqlite: bool) -> str:
    """One live refresh-token row per person, in the dialect of the benchmark's database."""
    def u(value: str) -> str:
        return f"X'{uuid.UUID(value).hex}'" if sqlite else f"'{value}'"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    later = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 86400))
    rows = []
    for person in sorted(set(people)):
        family = session_of(person)
        token_hash = hashlib.sha256(("bench:" + family).encode()).hexdigest()
        rows.append(f"({u(str(uuid.uuid4()))}, {u(person)}, {u(family)}, '{token_hash}', "
                    f"'{later}', NULL, NULL, '{stamp}')")
    if not rows:
        return ""
    return ("INSERT INTO refresh_tokens (id, person_id, family_id, token_hash, expires_at, "
            "used_at, revoked_at, created_at) VALUES\n" + ",\n".join(rows)
            + "\nON CONFLICT DO NOTHING;\n")


args = sys.argv[1:]
sqlite = args[:1] == ["--sqlite"]
if sqlite:
    args = args[1:]
if args[0] == "--bodies":
    people = []
    with open(args[1]) as raw, open(args[2], "w") as out:
        for line in raw:
            person, body = line.rstrip("\n").split(" ", 1)
            people.append(person)
            out.write(mint(person) + "\t" + body + "\n")
    with open(args[2] + ".sessions.sql", "w") as sessions:
        sessions.write(session_rows(people, sqlite))
else:
    with open(args[1], "w") as sessions:
        sessions.write(session_rows([args[0]], sqlite))
    print(mint(args[0]))
