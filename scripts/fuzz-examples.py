#!/usr/bin/env python3
"""Adds the ids of the demo server's records to the path parameters of its OpenAPI document as
examples, and makes the generator draw them half of the time (the schema accepts the same values:
`anyOf` of those ids and the declared type), so that the fuzzer reaches the handlers behind a
found record with generated bodies, and not only their 404.

Usage: FUZZ_LOGINS="admin …" fuzz-examples.py BASE_URL TOKEN DOCUMENT  (rewritten in place)

The ids are read through the API itself with TOKEN (an administrator's). The fuzzing users (the
logins of FUZZ_LOGINS) and their organisations are left out, and token and grant ids are given
none, so that the examples do not sign the fuzzer out; the operations that can
(scripts/fuzz-api.sh's `identity`) run last.
"""

import json
import os
import sys
import urllib.request

base, token, path = sys.argv[1], sys.argv[2], sys.argv[3]


def get(route):
    request = urllib.request.Request(
        f"{base}/api/v1{route}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)
    except Exception as error:  # a list the administrator cannot read gives no examples
        print(f"fuzz-examples: GET {route}: {error}", file=sys.stderr)
        return []


def field(route, key):
    """A list inside an object the API answers; empty when it cannot be read."""
    answer = get(route)
    return answer.get(key, []) if isinstance(answer, dict) else []


def ids(rows, *keys, limit=4):
    found = []
    for row in rows if isinstance(rows, list) else []:
        value = row
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None and value not in found:
            found.append(value)
    return found[:limit]


requests = get("/requests")
request_ids = ids(requests, "id")
lines = []
for request_id in request_ids[:2]:
    lines += ids(field(f"/requests/{request_id}", "lines"), "id")
attachments = []
for request_id in request_ids[:2]:
    attachments += ids(get(f"/requests/{request_id}/attachments"), "id")
# The fuzzing users themselves, their organisations and those of their grants are left out:
# moving them or blocking them would sign the fuzzer out of the rest of its run.
logins = set(os.environ.get("FUZZ_LOGINS", "").split())
users = get("/users")
users = [u for u in users if isinstance(u, dict)] if isinstance(users, list) else []
own = [u for u in users if u.get("login") in logins]
spared_orgs = {u.get("org_id") for u in own}
for user in own:
    spared_orgs |= set(ids(field(f"/users/{user['id']}", "grants"), "org_id", limit=100))
all_orgs = [o for o in get("/orgs") if isinstance(o, dict)]
orgs = [o for o in all_orgs if o.get("id") not in spared_orgs]
users = [u for u in users if u.get("login") not in logins]
reference = get("/pay-reference")
years = [2026, 2027, 2028]

# (path prefix, parameter) → examples; the longest matching prefix wins.
examples = {
    ("/orgs", "id"): ids(orgs, "id"),
    ("/users", "id"): ids(users, "id"),
    ("/campaigns", "id"): ids(get("/campaigns"), "id"),
    ("/requests", "id"): request_ids,
    ("/requests", "line"): lines,
    ("/requests", "attachment"): attachments,
    ("/requests", "year"): years,
    ("/financing-plans", "id"): ids(get("/financing-plans"), "id"),
    ("/receipt-plans", "id"): ids(get("/receipt-plans"), "id"),
    ("/open-budget/documents", "id"): ids(get("/open-budget/documents"), "id"),
    ("/open-budget/publications", "id"): ids(get("/open-budget/publications"), "publication", "id"),
    ("/open-budget/proposals", "id"): ids(get("/open-budget/proposals/pending"), "proposal", "id"),
    ("/oversight-access", "id"): ids(get("/oversight-access"), "id"),
    ("/oversight-applications", "id"): ids(get("/oversight-applications"), "id"),
    ("/training-sessions", "id"): ids(get("/training-sessions"), "id"),
    ("/treasury-exchange", "id"): ids(get("/treasury-exchange"), "id"),
    ("/execution/offsetting-codes", "id"): ids(get("/execution/offsetting-codes"), "id"),
    ("/staffing", "org"): ids(own, "org_id", limit=8) + ids(all_orgs, "id", limit=8),
    ("/staffing", "year"): years,
    ("/calendar", "year"): years,
    ("/calendar/days", "day"): ["2026-05-01", "2026-12-16", "2027-01-02"],
    ("/classification", "year"): years,
    ("/classification", "kind"): ["program", "econ_specific", "abp", "receipt_class"],
    ("/classification", "code"): ["001", "111", "261", "011"],
    ("/reports", "name"): ids(get("/reports"), "name", limit=40),
    ("/forms", "code"): ids(get("/forms"), "code"),
    ("/execution/treasury", "form"): ["5-52", "5-42", "2-15", "4-20", "1-27"],
    ("/pay-reference", "table"): list(reference)[:8] if isinstance(reference, dict) else [],
    ("/pay-reference", "valid_from"): ["2026-01-01", "2027-01-01"],
}

document = json.load(open(path))
added = 0
for route, operations in document["paths"].items():
    short = route.removeprefix("/api/v1")
    for operation in operations.values():
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "path":
                continue
            matches = [
                (len(prefix), values)
                for (prefix, name), values in examples.items()
                if name == parameter["name"] and short.startswith(prefix + "/")
            ]
            if not matches:
                continue
            values = max(matches, key=lambda m: m[0])[1]
            if values:
                parameter["examples"] = {
                    f"demo{i}": {"value": value} for i, value in enumerate(values)
                }
                # The same set of values, drawn half of the time from the demo's records.
                parameter["schema"] = {"anyOf": [{"enum": values}, parameter["schema"]]}
                added += 1
json.dump(document, open(path, "w"))
print(f"fuzz-examples: examples of demo records on {added} path parameters")
