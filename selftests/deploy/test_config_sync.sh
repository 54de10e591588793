#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `podroute config render`, and the sidecar loop `podroute config sync`
# against a small API server (build/deploy/kubeapi_server, from
# selftests/deploy/kubeapi_server.c) that speaks the list/watch protocol
# over HTTP: paged LISTs, chunked watch streams, 410 Gone, 404 for a CRD
# that is not installed, 403 for Events; the test changes the cluster
# through its control endpoints and reads the requests it got.
# Asserts: render writes a config the agent's parser accepts; sync lists,
# then watches from the list's resourceVersion with the bearer token (read
# again on reconnect); the file follows objects added, modified and
# deleted through watch events, and is left alone (same inode and mtime)
# while nothing changes; a dropped watch resumes from the last
# resourceVersion (a bookmark's) without a re-list; 410 Gone, as the HTTP
# status or as an ERROR event, leads to a re-list whose objects the config
# shows; a malformed event is said and the sync goes on; refusals are said
# and posted as Events once, a 403 on Events is said once; a server down
# at start is retried with growing waits until it answers; SIGTERM exits 0.
set -u
cd "$(dirname "$0")/../.."
P=$PWD/build/podroute FIX=$PWD/selftests/unit/fixtures/k8s SRVBIN=$PWD/build/deploy/kubeapi_server
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi; }
# wait_for CONDITION [TRIES]: poll every 0.05 s, at most TRIES times (200: 10 s)
wait_for() { local i; for ((i = 0; i < ${2:-200}; i++)); do eval "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
[ -x "$P" ] || { echo "not ok - $P missing (make)"; exit 1; }
[ -x "$SRVBIN" ] || { echo "not ok - $SRVBIN missing (make check-deploy builds it)"; exit 1; }
command -v curl >/dev/null || { echo "curl missing"; exit 4; }
t=$(mktemp -d)
trap '[ -n "${SYNC:-}" ] && kill "$SYNC" 2>/dev/null; [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null; wait; [ -n "${KEEP:-}" ] && echo "kept $t" || rm -rf "$t"' EXIT

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

# ---- the API server ----
# start_server [PORT]: a fresh, empty cluster; API=its URL
start_server() {
	rm -f "$t/port"
	"$SRVBIN" --port-file "$t/port" --requests "$t/req" --events "$t/events" --max-page 2 ${1:+--port "$1"} \
		>>"$t/server.log" 2>&1 &
	SRV=$!
	wait_for "[ -s '$t/port' ]" || { echo "not ok - the API server did not start"; exit 1; }
	PORT=$(cat "$t/port") API=http://127.0.0.1:$(cat "$t/port")
}
stop_server() { kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=; }
# ctl WHAT [QUERY] [FILE]: a control request (FILE: its body), prints the resourceVersion after it
ctl() { curl -sf -X POST "$API/_ctl/$1${2:+?$2}" ${3:+--data-binary @"$3"}; }
apply() { for f; do ctl apply "" "$f" >/dev/null; done; }
# the Node worker-1 with cluster_udn_blue's subnet 10.100.N.0/24
node_with() { jq --arg n "$1" '.items[0] | .metadata.annotations["k8s.ovn.org/node-subnets"] |= sub("10.100.1.0/24"; "10.100.\($n).0/24")' "$FIX/nodes.json" >"$t/node-$1.json"; echo "$t/node-$1.json"; }
# requests (path and query) for resource R: reqs R [list|watch]
reqs() { grep "/$1?" "$t/req" | if [ "$2" = watch ]; then grep 'watch=true'; else grep -v 'watch=true'; fi; }
rv_of_watch() { reqs "$1" watch | sed -n "${2:-\$}s/.*[?&]resourceVersion=\([0-9]*\).*/\1/p"; }

echo tok-1 >"$t/token"
start_server
apply "$FIX/ra-default.json" "$FIX/nodes.json" "$FIX/cudns.json"
ctl missing "r=userdefinednetworks&on=1" >/dev/null
sync_args=(--node worker-1 --base "$FIX/base.yaml" -o "$t/config.yaml" --api-server "$API" --token-file "$t/token")
"$P" config sync "${sync_args[@]}" --once 2>"$t/once.log"; rc=$?
check "sync --once: writes the config" test "$rc" -eq 0 -a -s "$t/config.yaml"
check "sync --once: ... the default network from the listed objects" grep -q '^  - name: default' "$t/config.yaml"
check "sync --once: listed every resource, paged (limit, continue)" \
	sh -c "grep -q 'GET /apis/k8s.ovn.org/v1/routeadvertisements?limit=500 ' '$t/req' &&
	grep -q 'GET /apis/k8s.cni.cncf.io/v1/network-attachment-definitions?limit=500 ' '$t/req' &&
	grep -q 'GET /apis/k8s.ovn.org/v1/clusteruserdefinednetworks?limit=500 ' '$t/req' &&
	grep -q 'GET /api/v1/namespaces?limit=500 ' '$t/req' &&
	grep -q 'GET /apis/k8s.ovn.org/v1/clusteruserdefinednetworks?limit=500&continue=2 ' '$t/req'"
check "sync --once: the Node by name (fieldSelector)" \
	grep -q 'GET /api/v1/nodes?limit=500&fieldSelector=metadata.name=worker-1 ' "$t/req"
check "sync --once: the service-account token as a bearer token, on every request" \
	sh -c "[ \$(grep -c . '$t/req') -gt 0 ] && ! grep -v 'auth=Bearer tok-1\$' '$t/req' | grep -q ."
check "sync --once: a CRD not served (404) is none, said" grep -q 'userdefinednetworks: not served by the API server (404)' "$t/once.log"
ino1=$(stat -c %i:%Y.%y "$t/config.yaml")
check "sync --once again, nothing changed: same inode and mtime" \
	sh -c "'$P' config sync ${sync_args[*]@Q} --once 2>/dev/null && [ \"\$(stat -c %i:%Y.%y '$t/config.yaml')\" = '$ino1' ]"
check "sync --once, API server unreachable: exit 1 naming it, config kept" \
	sh -c "! '$P' config sync --node worker-1 --base '$FIX/base.yaml' -o '$t/config.yaml' --api-server http://127.0.0.1:1 \
		--token-file '$t/token' --once 2>'$t/down.log' && grep -q 'list: Could not connect\|list: Couldn.t connect' '$t/down.log' &&
		[ \"\$(stat -c %i:%Y.%y '$t/config.yaml')\" = '$ino1' ]"
check "sync --once, token file missing: exit 1 naming it" \
	sh -c "out=\$('$P' config sync --node worker-1 --base '$FIX/base.yaml' -o '$t/config.yaml' --api-server '$API' \
		--token-file '$t/no-token' --once 2>&1); [ \$? -eq 1 ] && echo \"\$out\" | grep -q 'token $t/no-token: No such file'"
check "sync: --kubectl is refused, saying why" \
	sh -c "'$P' config sync ${sync_args[*]@Q} --kubectl kubectl 2>&1 | grep -q 'kubectl: removed; sync talks to the API server'"
check "sync: a plain host (no https:// or http://) is refused" \
	sh -c "'$P' config sync --node n --base b -o o --api-server 10.0.0.1 --once 2>&1 | grep -q 'expected https://'"

# ---- the loop: list, then watch ----
: >"$t/req"
"$P" -d config sync "${sync_args[@]}" --interval 1 >"$t/sync.log" 2>&1 &
SYNC=$!
for r in routeadvertisements clusteruserdefinednetworks network-attachment-definitions namespaces nodes; do
	wait_for "reqs $r watch | grep -q ." 
done
listed_rv=$(sed -n 's/.*routeadvertisements: listed [0-9]* at resourceVersion \([0-9]*\).*/\1/p' "$t/sync.log" | head -1)
# the first watch of each: after its list, from the list's resourceVersion
first_watch_after_list() {
	local l w
	l=$(grep -n "/$1?limit=" "$t/req" | head -1 | cut -d: -f1)
	w=$(grep -n "/$1?watch=true" "$t/req" | head -1 | cut -d: -f1)
	[ -n "$l" ] && [ -n "$w" ] && [ "$l" -lt "$w" ] &&
		sed -n "${w}p" "$t/req" | grep -q "watch=true&resourceVersion=$listed_rv&allowWatchBookmarks=true"
}
check "loop: every resource watched after its list, from the list's resourceVersion ($listed_rv)" \
	sh -c "[ -n '$listed_rv' ]" && for r in routeadvertisements clusteruserdefinednetworks network-attachment-definitions namespaces nodes; do
	check "loop: ... $r" first_watch_after_list "$r"
done
check "loop: the Node's watch has its fieldSelector too" sh -c "grep 'nodes?watch=true' '$t/req' | grep -q 'fieldSelector=metadata.name=worker-1'"
check "loop: no watch on the resource not served" sh -c "! grep -q ' /apis/k8s.ovn.org/v1/userdefinednetworks?watch' '$t/req'"
wait_for "[ \$(grep -c '$t/config.yaml unchanged' '$t/sync.log') -ge 2 ]"
check "loop: unchanged cluster, file untouched" test "$(stat -c %i:%Y.%y "$t/config.yaml")" = "$ino1"
lists0=$(reqs routeadvertisements list | wc -l)
apply "$FIX/cudns.json" "$FIX/ra-blue.json"
check "loop: added (watch events): a new RouteAdvertisements is picked up" wait_for "grep -q cluster_udn_blue '$t/config.yaml'"
check "loop: ... rewritten by rename (new inode)" test "$(stat -c %i "$t/config.yaml")" != "${ino1%%:*}"
check "loop: ... the rewritten file is accepted" sh -c "'$P' config check '$t/config.yaml' >/dev/null"
apply "$(node_with 5)"
check "loop: modified (watch event): the Node's new subnet is rendered" wait_for "grep -q '10.100.5.0/24' '$t/config.yaml'"
ctl delete "" "$FIX/ra-blue.json" >/dev/null
check "loop: deleted (watch event): the network is gone" wait_for "! grep -q cluster_udn_blue '$t/config.yaml'"
apply "$FIX/ra-blue.json"
wait_for "grep -q cluster_udn_blue '$t/config.yaml'"
check "loop: ... all of it by watch, no re-list" test "$(reqs routeadvertisements list | wc -l)" -eq "$lists0"

# a watch dropped mid-stream: resumed from the last resourceVersion (a bookmark's)
bm=$(ctl bookmark r=routeadvertisements)
ctl drop r=routeadvertisements >/dev/null
check "loop: a dropped watch is said" wait_for "grep -q 'routeadvertisements: watch dropped' '$t/sync.log'"
check "loop: ... and resumed from the last resourceVersion (the bookmark's, $bm)" \
	wait_for "[ \"\$(rv_of_watch routeadvertisements)\" = '$bm' ]"
ctl delete "" "$FIX/ra-blue.json" >/dev/null
check "loop: ... the resumed watch delivers" wait_for "! grep -q cluster_udn_blue '$t/config.yaml'"
check "loop: ... without a re-list" test "$(reqs routeadvertisements list | wc -l)" -eq "$lists0"
apply "$FIX/ra-blue.json"
wait_for "grep -q cluster_udn_blue '$t/config.yaml'"

# the token rotates: the next connection carries the new one
echo tok-2 >"$t/token"
ctl drop r=namespaces >/dev/null
check "loop: a rotated token is read again on reconnect" wait_for "grep '/namespaces?watch' '$t/req' | tail -1 | grep -q 'auth=Bearer tok-2\$'"

# 410 Gone as the HTTP status: the Node changed with no event (only a list shows it)
nl0=$(reqs nodes list | wc -l)
ctl apply quiet=1 "$(node_with 7)" >/dev/null
ctl compact "r=nodes&how=http" >/dev/null
check "loop: 410 Gone (HTTP) is said" wait_for "grep -q 'nodes: watch from resourceVersion [0-9]* expired (410 Gone)' '$t/sync.log'"
check "loop: ... and the Node listed again" wait_for "[ \$(reqs nodes list | wc -l) -gt $nl0 ]"
check "loop: ... the config shows what only the list had" wait_for "grep -q '10.100.7.0/24' '$t/config.yaml'"
check "loop: ... and the watch goes on from the new list's resourceVersion" \
	wait_for "[ \"\$(rv_of_watch nodes)\" -gt \"\$(rv_of_watch nodes 1)\" ]"
# 410 Gone as an ERROR event in the stream
nl0=$(reqs nodes list | wc -l)
ctl apply quiet=1 "$(node_with 8)" >/dev/null
ctl compact "r=nodes&how=event" >/dev/null
check "loop: 410 Gone (ERROR event) is said" wait_for "grep -q 'expired (410 Gone: ERROR 410: too old resource version)' '$t/sync.log'"
check "loop: ... the Node listed again, the config right" \
	wait_for "[ \$(reqs nodes list | wc -l) -gt $nl0 ] && grep -q '10.100.8.0/24' '$t/config.yaml'"

# junk in the stream: said, counted, the watch resumed, the sync goes on
ctl delete "" "$FIX/ra-blue.json" >/dev/null
wait_for "! grep -q cluster_udn_blue '$t/config.yaml'"
ctl junk r=routeadvertisements >/dev/null
check "loop: a malformed watch event is said and counted" \
	wait_for "grep -q 'routeadvertisements: malformed watch event (1 so far): not JSON' '$t/sync.log'"
apply "$FIX/ra-blue.json"
check "loop: ... and later events still apply" wait_for "grep -q cluster_udn_blue '$t/config.yaml'"
check "loop: ... the sync still running" kill -0 "$SYNC"

# A tenant's broken NAD: refused alone and said once, the rest still syncs.
apply "$FIX/ra-nads.json" "$FIX/hostile-garbage.json"
check "loop: a tenant's bad object is refused alone, loudly" wait_for "grep -q 'refused: NetworkAttachmentDefinition' '$t/sync.log'"
check "loop: ... and the other networks still render" grep -q cluster_udn_blue "$t/config.yaml"
wait_for "grep -q '^refused_objects: [1-9]' '$t/config.yaml' &&
	[ \$(jq -s length '$t/events') -eq \$(sed -n 's/^refused_objects: //p' '$t/config.yaml') ]"
check "loop: ... the file carries the count for the agent's metric" \
	sh -c "grep -q '^refused_objects: [1-9]' '$t/config.yaml' && '$P' config check '$t/config.yaml' | grep -q '^refused_objects: '"
check "loop: ... a Warning Event per refusal, POSTed to the refused object's namespace" \
	sh -c "[ \$(jq -s length '$t/events') -eq \$(sed -n 's/^refused_objects: //p' '$t/config.yaml') ] &&
	grep -q 'POST /api/v1/namespaces/ns2/events auth=Bearer tok-2' '$t/req' &&
	jq -se 'any(.[]; .type == \"Warning\" and .reason == \"PodrouteRefused\" and .metadata.namespace == \"ns2\" and
		.involvedObject == {apiVersion: \"k8s.cni.cncf.io/v1\", kind: \"NetworkAttachmentDefinition\", name: \"notjson\", namespace: \"ns2\"} and
		(.message | startswith(\"refused: NetworkAttachmentDefinition\")) and .source.host == \"worker-1\")' '$t/events' >/dev/null"
n1=$(grep -c 'refused: ' "$t/sync.log") u0=$(grep -c 'unchanged' "$t/sync.log") e1=$(jq -s length "$t/events")
wait_for "[ \$(grep -c 'unchanged' '$t/sync.log') -ge $((u0 + 2)) ]"
check "loop: ... said once, not every round" test "$(grep -c 'refused: ' "$t/sync.log")" -eq "$n1"
check "loop: ... and posted once" test "$(jq -s length "$t/events")" -eq "$e1"
z0=$(grep -c ', 0 refused' "$t/sync.log")
ctl delete "" "$FIX/ra-nads.json" >/dev/null
ctl delete "" "$FIX/hostile-garbage.json" >/dev/null
check "loop: refusals gone: said" wait_for "[ \$(grep -c ', 0 refused' '$t/sync.log') -gt $z0 ]"
# Events forbidden (RBAC): said once, and the config still syncs.
ctl forbid-events on=1 >/dev/null
apply "$FIX/ra-nads.json" "$FIX/hostile-garbage.json"
check "loop: an Event refused by the API server (403) is said" \
	wait_for "grep -q 'cannot post an Event (RBAC: create events?): 403 Forbidden: events is forbidden' '$t/sync.log'"
check "loop: ... and the config still synced" wait_for "grep -q '^refused_objects: [1-9]' '$t/config.yaml'"
r1=$(sed -n 's/^refused_objects: //p' "$t/config.yaml")
ctl delete "" "$FIX/hostile-garbage.json" >/dev/null
wait_for "[ \"\$(sed -n 's/^refused_objects: //p' '$t/config.yaml')\" != '$r1' ]"
apply "$FIX/hostile-garbage.json"
check "loop: ... a new refusal tries again (a second POST refused)" \
	wait_for "[ \$(grep -c 'POST /api/v1/namespaces/.*/events' '$t/req') -ge $((e1 + 2)) ]"
u0=$(grep -c 'unchanged' "$t/sync.log")
wait_for "[ \$(grep -c 'unchanged' '$t/sync.log') -ge $((u0 + 1)) ]"
check "loop: ... said once, though refused again" test "$(grep -c 'cannot post an Event' "$t/sync.log")" -eq 1
ctl forbid-events on=0 >/dev/null
ctl delete "" "$FIX/ra-nads.json" >/dev/null
ctl delete "" "$FIX/hostile-garbage.json" >/dev/null
wait_for "grep -q '^refused_objects: 0\$' '$t/config.yaml' || ! grep -q '^refused_objects' '$t/config.yaml'"
good=$(cat "$t/config.yaml")
# A refused RouteAdvertisements fails the whole render: the last good file stays.
apply "$FIX/bad-ra-selector.json"
check "loop: a broken RouteAdvertisements is reported" wait_for "grep -q 'unknown networkSelectionType' '$t/sync.log'"
check "loop: ... and the last good config kept" test "$(cat "$t/config.yaml")" = "$good"
ctl delete "" "$FIX/bad-ra-selector.json" >/dev/null
# The API server goes away: said, retried, the last good file kept.
stop_server
check "loop: the API server gone: retried with a backoff" wait_for "grep -q 'again in [0-9.]* s' '$t/sync.log'"
check "loop: ... and the last good config kept" test "$(cat "$t/config.yaml")" = "$good"
check "loop: no temporary file left" sh -c "! ls '$t' | grep -q 'config.yaml.tmp'"
kill -TERM "$SYNC"
wait "$SYNC"; rc=$?
SYNC=
check "loop: SIGTERM exits 0" test "$rc" -eq 0
check "loop: said it was exiting" grep -q 'config sync: exiting' "$t/sync.log"

# ---- the API server down at start: backoff, then success ----
rm -f "$t/config.yaml"
# --interval 3600: no periodic render in this test's time; what renders
# is a change seen through list or watch
"$P" config sync "${sync_args[@]}" --interval 3600 >"$t/sync2.log" 2>&1 &
SYNC=$!
check "down at start: retried, waits growing" \
	wait_for "[ \$(grep -c 'routeadvertisements: list: .*listing again in' '$t/sync2.log') -ge 3 ]" 400
waits=$(sed -n 's/.*routeadvertisements: list: .*listing again in \([0-9.]*\) s/\1/p' "$t/sync2.log" | head -3 | tr '\n' ' ')
check "down at start: ... 0.5 s doubling, jittered into [d/2, d): $waits" \
	sh -c "set -- $waits; awk -v a=\$1 -v b=\$2 -v c=\$3 'BEGIN { exit !(a >= 0.2 && a < 0.5 && b >= 0.5 && b < 1 && c >= 1 && c < 2) }'"
check "down at start: ... nothing written meanwhile" test ! -e "$t/config.yaml"
start_server "$PORT"
apply "$FIX/ra-default.json" "$FIX/nodes.json"
check "down at start: ... then the config, once the server answers (rendered on the change)" wait_for "grep -q '^  - name: default' '$t/config.yaml'" 600
apply "$FIX/cudns.json" "$FIX/ra-blue.json"
check "down at start: ... a watched change renders at once, not at the next --interval" \
	wait_for "grep -q cluster_udn_blue '$t/config.yaml'"
kill -TERM "$SYNC"
wait "$SYNC"
SYNC=
echo "config sync: $fails failed"
[ "$fails" -eq 0 ]
