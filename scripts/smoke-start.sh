#!/usr/bin/env bash
# Starts the gateway as `npm start` does, on a free port with a throw-away data folder, and
# checks that the IDE is served and that a nested query answers over the demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
data=$(mktemp -d)
log="$data/gateway.log"
# Its own session and process group (npm -> sh -> node -> FerretDB), so one signal stops them all.
PORT=$port DATA_DIR="$data" setsid npm start >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "gateway exited:"; cat "$log"; exit 1; }
  sleep 0.5
done
curl -fsS "$base/healthz" || { echo "gateway did not come up:"; cat "$log"; exit 1; }
echo
grep -m1 'backend' "$log"
page=$(curl -fsS "$base/graphiql") || { echo "IDE page not served"; exit 1; }
[[ "$page" == *graphiql-config* ]] || { echo "IDE page not served"; exit 1; }
query='{"query":"{ customers(first: 3) { totalCount nodes { companyProfile { companyName } subscriptions(first: 3) { nodes { offerName status addOns { offerName } offer { name } } } } } }"}'
answer=$(curl -fsS "$base/graphql" -H 'content-type: application/json' \
  -H 'x-partner-id: 4a1f0c3e-0000-4000-8000-00000000c0de' -H 'x-partner-roles: global_admin' -d "$query")
echo "${answer:0:600}"
node -e '
const r = JSON.parse(process.argv[1]);
if (r.errors) { console.error("errors:", JSON.stringify(r.errors)); process.exit(1); }
const cs = r.data.customers.nodes;
if (cs.length === 0 || !cs.some(c => c.subscriptions.nodes.length > 0)) { console.error("no demo data"); process.exit(1); }
console.log(`smoke ok: ${r.data.customers.totalCount} demo customers`);
' "$answer"
