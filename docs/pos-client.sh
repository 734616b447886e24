#!/bin/sh
# Ask smartcheck serve about each code given, with curl and jq:
#   sh pos-client.sh 09520000000011 5012345678900
# Prints CODE, verdict, sell or hold, and what to tell the shopper, one line a code.
# SMARTCHECK_URL (default http://127.0.0.1:8080); SMARTCHECK_TOKEN when serve has --token-file.
set -eu
base=${SMARTCHECK_URL:-http://127.0.0.1:8080}
auth=${SMARTCHECK_TOKEN:+Authorization: Bearer $SMARTCHECK_TOKEN}
# One POST for all the codes (at most 1,000), as a JSON array built by jq.
body=$(jq -cn '$ARGS.positional' --args "$@")
answers=$(curl -sS --fail-with-body --max-time 5 ${auth:+-H "$auth"} -H 'Content-Type: application/json' \
  --data-binary "$body" "$base/v1/lookup") || { echo "smartcheck serve: ${answers:-no answer}" >&2; exit 1; }
printf '%s\n' "$answers" | jq -r '.[] | (.verdict // "CHECK") as $v | [.input, $v,
  (if $v == "OK" or $v == "CAUTION" or $v == "NOT_IN_SCOPE" then "sell" else "hold" end),
  (([.findings[]?.shopper] | unique | join(" ")) + (.error // ""))] | @tsv'
