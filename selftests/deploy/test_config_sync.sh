#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `podroute config render` and the sidecar loop `podroute config sync`,
# against a stand-in for kubectl (no API server exists here: the only
# mock) that serves the unit tests' fixtures as `kubectl get -o json`
# would. Asserts: render writes a config the agent's parser accepts; sync
# writes the file, leaves it alone (same inode, same mtime) while nothing
# changes, rewrites it atomically (a new inode, never a partial file) when
# the cluster changes, keeps the last good file when kubectl fails or the
# objects are refused, and exits cleanly on SIGTERM.
set -u
cd "$(dirname "$0")/../.."
P=$PWD/build/podroute FIX=$PWD/selftests/unit/fixtures/k8s
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi; }
wait_for() { local i; for ((i = 0; i < 200; i++)); do eval "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
[ -x "$P" ] || { echo "not ok - $P missing (make)"; exit 1; }
t=$(mktemp -d)
trap '[ -n "${SYNC:-}" ] && kill "$SYNC" 2>/dev/null; rm -rf "$t"' EXIT

# render, straight from files
check "render: default network + Layer3 CUDN" \
	"$P" config render --node worker-1 --base "$FIX/base.yaml" --input "$FIX/nodes.json" \
	--input "$FIX/cudns.json" --input "$FIX/ra-default.json" --input "$FIX/ra-blue.json" -o "$t/r.yaml"
check "render: the output is a config podroute accepts" sh -c "'$P' config check '$t/r.yaml' >/dev/null"
check "render: both networks, ids 1 and 3" sh -c "grep -c '^  - name: ' '$t/r.yaml' | grep -qx 2 && grep -q 'id: 3' '$t/r.yaml'"
out=$("$P" config render --node worker-1 --base "$FIX/base.yaml" --input "$FIX/nodes.json" \
	--input "$FIX/bad-ra-selector.json" -o "$t/bad.yaml" 2>&1); rc=$?
check "render: refused input exits 1 naming the object" bash -c "[ $rc -eq 1 ] && grep -q 'RouteAdvertisements \"odd\"' <<<'$out'"
check "render: nothing written on refusal" test ! -e "$t/bad.yaml"
check "render: usage error without --node" sh -c "'$P' config render --base x --input y >/dev/null 2>&1; [ \$? -eq 2 ]"

# the stand-in kubectl: concatenates $t/cluster/*.json into one List, or fails on demand
mkdir -p "$t/cluster"
cat >"$t/kubectl" <<KEOF
#!/usr/bin/env bash
[ -e "$t/fail" ] && { echo "error: the server is currently unable to handle the request" >&2; exit 1; }
echo "\$*" >>"$t/calls"
if [ "\$1" = create ]; then # an Event: kept in $t/events, or refused as RBAC would
	[ -e "$t/deny-events" ] && { echo 'Error from server (Forbidden): events is forbidden' >&2; exit 1; }
	jq -c . "\$3" >>"$t/events" && echo event/podroute-refused-x; exit
fi
if [ "\$2" = node ]; then cat "$FIX/nodes.json" | jq --arg n "\$3" '.items[] | select(.metadata.name == \$n)'; exit; fi
jq -s '{apiVersion: "v1", kind: "List", items: [.[] | if .kind == "List" then .items[] else . end]}' "$t"/cluster/*.json
KEOF
chmod +x "$t/kubectl"
cp "$FIX/ra-default.json" "$t/cluster/"
sync_once() { "$P" config sync --node worker-1 --base "$FIX/base.yaml" -o "$t/config.yaml" --kubectl "$t/kubectl" --once; }
check "sync --once: writes the config" sync_once
check "sync: kubectl was asked for the objects and the node" \
	sh -c "grep -q 'get routeadvertisements,clusteruserdefinednetworks,userdefinednetworks,network-attachment-definitions,namespaces -A -o json' '$t/calls' && grep -q 'get node worker-1 -o json' '$t/calls'"
ino1=$(stat -c %i:%Y.%y "$t/config.yaml")
check "sync --once again, nothing changed: same inode and mtime" sh -c "'$P' config sync --node worker-1 --base '$FIX/base.yaml' -o '$t/config.yaml' --kubectl '$t/kubectl' --once && [ \"\$(stat -c %i:%Y.%y '$t/config.yaml')\" = '$ino1' ]"

# the loop
"$P" config sync --node worker-1 --base "$FIX/base.yaml" -o "$t/config.yaml" --kubectl "$t/kubectl" --interval 1 \
	>"$t/sync.log" 2>&1 &
SYNC=$!
wait_for "[ \$(grep -c 'get node' '$t/calls') -ge 3 ]"
check "loop: unchanged cluster, file untouched" test "$(stat -c %i:%Y.%y "$t/config.yaml")" = "$ino1"
cp "$FIX/cudns.json" "$FIX/ra-blue.json" "$t/cluster/"
check "loop: a new RouteAdvertisements is picked up" wait_for "grep -q cluster_udn_blue '$t/config.yaml'"
check "loop: rewritten by rename (new inode)" test "$(stat -c %i "$t/config.yaml")" != "${ino1%%:*}"
check "loop: the rewritten file is accepted" sh -c "'$P' config check '$t/config.yaml' >/dev/null"
good=$(cat "$t/config.yaml")
# A tenant's broken NAD: refused alone and said once, the rest still syncs.
cp "$FIX/ra-nads.json" "$FIX/hostile-garbage.json" "$t/cluster/"
check "loop: a tenant's bad object is refused alone, loudly" wait_for "grep -q 'refused: NetworkAttachmentDefinition' '$t/sync.log'"
check "loop: ... and the other networks still render" grep -q cluster_udn_blue "$t/config.yaml"
# The file is written, and Events posted, after the refusals are logged.
wait_for "grep -q '^refused_objects: [1-9]' '$t/config.yaml' &&
	[ \$(jq -s length '$t/events') -eq \$(sed -n 's/^refused_objects: //p' '$t/config.yaml') ]"
check "loop: ... the file carries the count for the agent's metric" \
	sh -c "grep -q '^refused_objects: [1-9]' '$t/config.yaml' && '$P' config check '$t/config.yaml' | grep -q '^refused_objects: '"
check "loop: ... a Warning Event per refusal, on the refused object in its namespace" \
	sh -c "[ \$(jq -s length '$t/events') -eq \$(sed -n 's/^refused_objects: //p' '$t/config.yaml') ] &&
	jq -se 'any(.[]; .type == \"Warning\" and .reason == \"PodrouteRefused\" and .metadata.namespace == \"ns2\" and
		.involvedObject == {apiVersion: \"k8s.cni.cncf.io/v1\", kind: \"NetworkAttachmentDefinition\", name: \"notjson\", namespace: \"ns2\"} and
		(.message | startswith(\"refused: NetworkAttachmentDefinition\")) and .source.host == \"worker-1\")' '$t/events' >/dev/null"
n1=$(grep -c 'refused: ' "$t/sync.log") c0=$(grep -c 'get node' "$t/calls") e1=$(jq -s length "$t/events")
wait_for "[ \$(grep -c 'get node' '$t/calls') -ge $((c0 + 2)) ]" 5
check "loop: ... said once, not every round" test "$(grep -c 'refused: ' "$t/sync.log")" -eq "$n1"
check "loop: ... and posted once" test "$(jq -s length "$t/events")" -eq "$e1"
z0=$(grep -c ', 0 refused' "$t/sync.log")
rm -f "$t/cluster/ra-nads.json" "$t/cluster/hostile-garbage.json"
check "loop: refusals gone: said" wait_for "[ \$(grep -c ', 0 refused' '$t/sync.log') -gt $z0 ]"
# Events forbidden (RBAC): said, and the config still syncs.
touch "$t/deny-events"
cp "$FIX/ra-nads.json" "$FIX/hostile-garbage.json" "$t/cluster/"
check "loop: an Event refused by the API server is said" wait_for "grep -q 'cannot post an Event (RBAC: create events?).*Forbidden' '$t/sync.log'"
check "loop: ... and the config still synced" wait_for "grep -q '^refused_objects: [1-9]' '$t/config.yaml'"
rm -f "$t/deny-events" "$t/cluster/ra-nads.json" "$t/cluster/hostile-garbage.json"
good=$(cat "$t/config.yaml")
touch "$t/fail"
check "loop: a kubectl failure is reported" wait_for "grep -q 'exited 1: error: the server is currently unable' '$t/sync.log'"
check "loop: ... and the last good config kept" test "$(cat "$t/config.yaml")" = "$good"
rm -f "$t/fail"
cp "$FIX/bad-ra-selector.json" "$t/cluster/"
check "loop: refused objects are reported" wait_for "grep -q 'unknown networkSelectionType' '$t/sync.log'"
check "loop: ... and the last good config kept" test "$(cat "$t/config.yaml")" = "$good"
check "loop: no temporary file left" sh -c "! ls '$t' | grep -q 'config.yaml.tmp'"
kill -TERM "$SYNC"
wait "$SYNC"; rc=$?
SYNC=
check "loop: SIGTERM exits 0" test "$rc" -eq 0
check "loop: said it was exiting" grep -q 'config sync: exiting' "$t/sync.log"
echo "config sync: $fails failed"
[ "$fails" -eq 0 ]
