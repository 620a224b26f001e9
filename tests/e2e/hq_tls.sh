#!/bin/sh
# tally-hq over HTTPS: a self-signed certificate for 127.0.0.1 made here
# with openssl, served by libmicrohttpd (GnuTLS), verified by curl with
# --cacert; plain HTTP to the same port must not work.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-tls-XXXXXX")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$DIR/key.pem" -out "$DIR/cert.pem" 2>/dev/null
cat >"$DIR/hq.conf" <<CONF
[hq]
database = $DIR/hq.db
listen = 127.0.0.1:0
tls_cert = $DIR/cert.pem
tls_key = $DIR/key.pem
CONF
TOKEN=$($HQ --config "$DIR/hq.conf" kiosk add --store S --area A --id k-tls 2>/dev/null | awk '$1=="token"{print $2}')
echo 'tls-user-pass' | $HQ --config "$DIR/hq.conf" user add boss --role chain --password-stdin >/dev/null

$HQ --config "$DIR/hq.conf" >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 50); do grep -q '^listening on ' "$DIR/out" && break; sleep 0.1; done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
[ -n "$PORT" ] || { echo "no listening line"; cat "$DIR/err"; exit 1; }
URL="https://127.0.0.1:$PORT"

curl -sS --cacert "$DIR/cert.pem" "$URL/healthz" | grep -q '^{"ok":true,"hq_time_ms":[0-9]*,"hq_clock_synced":\(true\|false\)}$'
echo "ok: healthz over https, certificate verified"
ANS=$(curl -sS --cacert "$DIR/cert.pem" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
	--data '{"kiosk":"k-tls","boots":["b"],"ratings":[[1,2,4,"touch",1711875600000,1,0,1,null,0]]}' \
	"$URL/api/v1/ratings")
[ "${ANS%%,\"hq_time_ms\"*}" = '{"kiosk":"k-tls","accepted":1,"duplicates":0,"acked_through":1,"gaps":[]' ] || { echo "got $ANS"; exit 1; }
echo "ok: POST over https"
# Under TLS the session cookie is Secure too, and this server's https origin passes the CSRF check.
curl -sS --cacert "$DIR/cert.pem" -D "$DIR/login.h" -o "$DIR/login.json" -H "Content-Type: application/json" \
	--data '{"user":"boss","password":"tls-user-pass"}' "$URL/login"
grep -qi '^Set-Cookie: tally_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict; Max-Age=[0-9]*; Secure' "$DIR/login.h" ||
	{ echo "login cookie over https: $(cat "$DIR/login.h")"; exit 1; }
COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: \(tally_session=[0-9a-f]*\);.*/\1/p' "$DIR/login.h")
CSRF=$(jq -r .csrf_token "$DIR/login.json")
[ "$(curl -sS --cacert "$DIR/cert.pem" -o /dev/null -w '%{http_code}' -X POST -b "$COOKIE" -H "X-CSRF-Token: $CSRF" \
	-H "Origin: https://127.0.0.1.evil.example" "$URL/logout")" = 403 ] || { echo "another origin passed on https"; exit 1; }
[ "$(curl -sS --cacert "$DIR/cert.pem" -o /dev/null -w '%{http_code}' -X POST -b "$COOKIE" -H "X-CSRF-Token: $CSRF" \
	-H "Origin: $URL" "$URL/logout")" = 200 ] || { echo "logout over https failed"; exit 1; }
echo "ok: login over https sets a Secure cookie; logout checks the https origin"
if curl -sS --max-time 5 "$URL/healthz" >/dev/null 2>&1; then echo "untrusted certificate accepted"; exit 1; fi
echo "ok: unknown CA refused by curl"
if curl -s --max-time 5 "http://127.0.0.1:$PORT/healthz" 2>/dev/null | grep -q '"ok"'; then echo "plain http served"; exit 1; fi
echo "ok: no plain http on the TLS port"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || { echo "tally-hq exited $rc"; cat "$DIR/err"; exit 1; }

# A key that does not exist stops the start with a clear line, not a crash.
sed -i "s|^tls_key = .*|tls_key = $DIR/missing.pem|" "$DIR/hq.conf"
if $HQ --config "$DIR/hq.conf" >/dev/null 2>"$DIR/err2"; then echo "started without a key"; exit 1; fi
grep -q "missing.pem" "$DIR/err2"
echo "ok: missing key refused"
