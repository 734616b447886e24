#!/usr/bin/env python3
"""Ask smartcheck serve before adding an item: python3 pos-client.py CODE... (standard library only)."""
import json, os, sys, urllib.error, urllib.parse, urllib.request

BASE = os.environ.get("SMARTCHECK_URL", "http://127.0.0.1:8080")
TOKEN = os.environ.get("SMARTCHECK_TOKEN")  # only when serve has --token-file

def check(code):
    req = urllib.request.Request(BASE + "/v1/lookup?" + urllib.parse.urlencode({"code": code}))
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    try:
        with urllib.request.urlopen(req, timeout=2) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:  # a 4xx or 503 carries a JSON error
        return {"input": code, "error": json.load(e)["error"]}
    except OSError as e:  # no answer: never guess, hold the item
        return {"input": code, "error": f"smartcheck serve at {BASE} did not answer: {e}"}

for code in sys.argv[1:]:
    a = check(code)
    verdict = a.get("verdict", "CHECK")  # no verdict: staff check the paperwork
    tell = " ".join(sorted({f["shopper"] for f in a.get("findings", [])})) or a.get("error", "")
    print(f"{code}\t{verdict}\t{'sell' if verdict in ('OK', 'CAUTION', 'NOT_IN_SCOPE') else 'hold'}\t{tell}")
