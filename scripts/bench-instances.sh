#!/usr/bin/env bash
# Runs `backrest bench` against N instances of `backrest serve` (default 1), each in
# its own process on 127.0.0.1, on one new PostgreSQL schema of $PG (dropped at the
# end), with the bytes of files in the bucket of $BACKREST_S3 when it is set (each
# instance's data folder otherwise, which only one instance can serve). The
# clients call the instances in turn, as a round-robin load balancer would, and
# the report gives the CPU time of the instances' processes per request. Further
# arguments go to backrest bench, such as -scenarios read,list -d 5s.
#
#   scripts/bench-instances.sh 2 -n 10000 -scenarios auth,read,list,create,mixed
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:-1}"
shift || true
pg="${PG:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
schema="bench_instances_$$"
work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	psql "$pg" -qc "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $schema CASCADE" || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/backrest" ./cmd/backrest
echo '{"types": [{"name": "item", "plural": "items", "fields": [{"name": "size", "type": "integer"}, {"name": "body", "type": "text"}], "access": {"view": "authenticated"}}]}' >"$work/schema.json"
psql "$pg" -qc "CREATE SCHEMA $schema"
sep='?'
case "$pg" in *\?*) sep='&' ;; esac
export BACKREST_DB="$pg${sep}search_path=$schema"
export BACKREST_SCHEMA="$work/schema.json"
export BACKREST_SECRET="bench-instances-secret-$$"
export BACKREST_LIMIT_LOGIN_ADDR=0/1h BACKREST_LIMIT_UPLOAD=0/1h BACKREST_LOG_LEVEL=warn
"$work/backrest" migrate --data "$work/admin" >/dev/null
"$work/backrest" user add --data "$work/admin" --password 'bench password' bench@example.com >/dev/null

urls=()
for i in $(seq "$n"); do
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	BACKREST_ADDR="127.0.0.1:$port" BACKREST_DATA="$work/data$i" "$work/backrest" serve >"$work/serve$i.log" 2>&1 &
	pids+=($!)
	urls+=("http://127.0.0.1:$port")
done
for i in "${!urls[@]}"; do
	for _ in $(seq 100); do
		curl -sf -o /dev/null "${urls[$i]}/-/health/ready" && break
		sleep 0.1
	done
	curl -sf -o /dev/null "${urls[$i]}/-/health/ready" || {
		echo "instance $i did not start:"
		cat "$work/serve$((i + 1)).log"
		exit 1
	} >&2
done

"$work/backrest" bench --url "$(IFS=,; echo "${urls[*]}")" --user bench@example.com --password 'bench password' \
	--pid "$(IFS=,; echo "${pids[*]}")" "$@"
