#!/usr/bin/env bash
# Issue 5 benchmark: `fwgate certs sweep --tls` over N loopback TLS endpoints with --jobs 16
# (target: 200 endpoints in under 5 s). One python3 asyncio process listens on N ports of
# 127.0.0.1 and serves the test chain of testvectors/tls (loopback only, stops by itself).
# Usage: Benchmarks/tls-sweep.sh [endpoints (default 200)]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc; }
flags=(-c release --static-swift-stdlib --scratch-path .build-release-static)
swift build "${flags[@]}" --product fwgate >/dev/null
bin=$(swift build "${flags[@]}" --show-bin-path)/fwgate
work=$(mktemp -d)
cat testvectors/tls/valid-leaf.pem testvectors/tls/intermediate.pem > "$work/chain.pem"
python3 - "$count" "$work/chain.pem" testvectors/tls/valid-leaf.key "$work/ports" <<'PY' &
import asyncio, ssl, sys
count, chain, key, ports_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(chain, key)
async def handle(reader, writer):
    try:
        await asyncio.wait_for(reader.read(1), 5)
    except Exception:
        pass
    writer.close()
async def main():
    servers = [await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context) for _ in range(count)]
    with open(ports_file, "w") as f:
        f.write("\n".join(str(s.sockets[0].getsockname()[1]) for s in servers))
    await asyncio.sleep(120)  # stops by itself
asyncio.run(main())
PY
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.1; done
args=()
while read -r port || [ -n "$port" ]; do args+=(--tls "127.0.0.1:$port"); done < "$work/ports"
start=$(date +%s.%N)
"$bin" certs sweep "${args[@]}" --jobs 16 --timeout 10 --no-record --format json --at 2026-06-01T00:00:00Z > "$work/out.json" || true
end=$(date +%s.%N)
read -r found failed < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(c['locations']) for c in d['certificates']), len(d['unreadable']))" "$work/out.json")
printf '%d loopback TLS endpoints, --jobs 16: %.3f s (target < 5 s); %d certificate locations, %d unreadable\n' \
    "$((${#args[@]} / 2))" "$(echo "$end - $start" | bc -l)" "$found" "$failed"
