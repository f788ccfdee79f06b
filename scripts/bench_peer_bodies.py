"""Request bodies for scripts/bench-peer.sh: one file per shape in OUT_DIR, one line per request,
"<Canopy body>\t<PostGraphile body>", both selecting the same rows.

    bench_peer_bodies.py OUT_DIR
    bench_peer_bodies.py --check OUT_DIR CANOPY_URL GRAPHILE_URL TOKEN
        sends the first body of each shape to both and fails unless both answer without errors
        and name the same rows

The ids are those scripts/bench-peer-data.sql derives (md5 of each row's place in the series),
so nothing needs reading back from the database.
"""
import base64
import hashlib
import json
import os
import re
import sys
import urllib.request
import uuid

GROUPS, CLUSTERS, MEMBERS = 5000, 50, 20
LATEST_HELD_WEEK = 24


def row_id(*parts) -> str:
    return str(uuid.UUID(hashlib.md5(":".join(["peer", *map(str, parts)]).encode()).hexdigest()))


def global_id(kind: str, raw: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{raw}".encode()).rstrip(b"=").decode()


def body(query: str, variables: dict) -> str:
    return json.dumps({"query": " ".join(query.split()), "variables": variables})


CANOPY = {
    "dashboard": """query($slug: String!) { organisation(slug: $slug) { clusters(first: 50) {
        edges { node { id name groups(first: 5) { edges { node { id name
        meetings(last: 3, filter: {status: [HELD]}) { edges { node { id startsAt
        attendanceSummary { present } } } } } } } } } } } }""",
    "groups_page": """query($id: ID!) { cluster(id: $id) { groups(first: 20) {
        edges { cursor node { id slug name status } } pageInfo { hasNextPage endCursor } } } }""",
    "group_detail": """query($slug: String!) { group(slug: $slug) { id slug name purpose status
        meetings(last: 20) { edges { node { id startsAt endsAt status theme } } } } }""",
    "record_attendance": """mutation($input: RecordAttendanceInput!) {
        recordAttendance(input: $input) { attendance { status } } }""",
}
GRAPHILE = {
    "dashboard": """query($slug: String!) { organisationBySlug(slug: $slug) {
        clustersByOrganisationId(first: 50, orderBy: [SORT_NAME_ASC, ID_ASC]) { nodes { id name
        groupsByClusterId(first: 5, orderBy: [SORT_NAME_ASC, ID_ASC]) { nodes { id name
        meetingsByGroupId(last: 3, condition: {status: "HELD"}, orderBy: [STARTS_AT_ASC, ID_ASC]) {
        nodes { id startsAt attendancesByMeetingId(condition: {status: "PRESENT"}) { totalCount }
        } } } } } } } }""",
    "groups_page": """query($id: UUID!) { clusterById(id: $id) {
        groupsByClusterId(first: 20, orderBy: [SORT_NAME_ASC, ID_ASC]) {
        edges { cursor node { id slug name status } } pageInfo { hasNextPage endCursor } } } }""",
    "group_detail": """query($slug: String!) { groupBySlug(slug: $slug) { id slug name purpose status
        meetingsByGroupId(last: 20, orderBy: [STARTS_AT_ASC, ID_ASC]) {
        nodes { id startsAt endsAt status theme } } } }""",
    "record_attendance": """mutation($meeting: UUID!, $ids: [UUID]!, $statuses: [String]!) {
        recordAttendance(input: {meeting: $meeting, membershipIds: $ids, statuses: $statuses}) {
        attendances { status } } }""",
}


def lines(shape: str):
    if shape == "dashboard":
        yield {"slug": "peer-bench"}, {"slug": "peer-bench"}
    elif shape == "groups_page":
        for c in range(1, CLUSTERS + 1):
            raw = row_id("cluster", c)
            yield {"id": global_id("Cluster", raw)}, {"id": raw}
    elif shape == "group_detail":
        for n in range(1, GROUPS + 1):
            yield {"slug": f"peer-{n}"}, {"slug": f"peer-{n}"}
    else:
        for n in range(1, GROUPS + 1):
            came = [k for k in range(MEMBERS) if (k + LATEST_HELD_WEEK) % MEMBERS < 8]
            # Varying statuses, so each write changes rows.
            entries = [(row_id("membership", n, k), "PRESENT" if (k + n) % 4 else "ABSENT") for k in came]
            meeting = row_id("meeting", n, LATEST_HELD_WEEK)
            yield (
                {"input": {"meetingId": global_id("Meeting", meeting), "entries": [
                    {"membershipId": global_id("Membership", m), "status": s} for m, s in entries]}},
                {"meeting": meeting, "ids": [m for m, _ in entries], "statuses": [s for _, s in entries]},
            )


def post(url: str, data: str, token: str = "") -> dict:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    with urllib.request.urlopen(urllib.request.Request(url, data.encode(), headers)) as r:
        answer = json.load(r)
    if answer.get("errors") or not answer.get("data"):
        sys.exit(f"{url} answered {json.dumps(answer)[:500]}")
    return answer


def rows_named(answer, decode: bool) -> set:
    """Every uuid an answer names: Canopy's ids are base64url("Type:uuid"), PostGraphile's raw."""
    found = set()

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "id" and isinstance(x, str):
                    raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)).decode() if decode else x
                    found.add(re.sub(r"^\w+:", "", raw))
                else:
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(answer["data"])
    return found


def check(out: str, canopy: str, graphile: str, token: str) -> None:
    for shape in CANOPY:
        if shape == "record_attendance":
            continue  # writes: checked by both answering without errors during the runs
        with open(os.path.join(out, f"{shape}.txt")) as f:
            ours, theirs = f.readline().rstrip("\n").split("\t")
        a = rows_named(post(canopy, ours, token), True)
        b = rows_named(post(graphile, theirs), False)
        if a != b or not a:
            sys.exit(f"{shape}: Canopy names {len(a)} rows, PostGraphile {len(b)}, {len(a ^ b)} differ")
        print(f"{shape}: both name the same {len(a)} rows")


def main() -> None:
    if sys.argv[1] == "--check":
        check(*sys.argv[2:6])
        return
    out = sys.argv[1]
    for shape in CANOPY:
        with open(os.path.join(out, f"{shape}.txt"), "w") as f:
            for canopy, graphile in lines(shape):
                f.write(body(CANOPY[shape], canopy) + "\t" + body(GRAPHILE[shape], graphile) + "\n")


if __name__ == "__main__":
    main()
