#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tally-hq over HTTPS: a self-signed certificate for 127.0.0.1 made here
# with openssl, served by libmicrohttpd (GnuTLS), verified by curl with
# --cacert; plain HTTP to the same port must not work. Only TLS 1.2 and
# 1.3 with forward-secret key exchange are spoken by default (openssl
# s_client tries TLS 1.1 and a static-RSA cipher, both refused);
# [hq] tls_priorities changes that; a key other users can read is refused.
set -eu
BUILD=${TALLY_BUILD:-build}
HQ=${TALLY_HQ:-$BUILD/asan/tally-hq}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-hq-tls-XXXXXX")
. "$(dirname "$0")/pg_lib.inc"
HQ_DB=$(hq_target "$DIR")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT

# A private key is made private (umask), whatever openssl's own habit.
(umask 077; openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$DIR/key.pem" -out "$DIR/cert.pem" 2>/dev/null)
cat >"$DIR/hq.conf" <<CONF
[hq]
database = $HQ_DB
listen = 127.0.0.1:0
tls_cert = $DIR/cert.pem
tls_key = $DIR/key.pem
CONF
TOKEN=$($HQ --config "$DIR/hq.conf" kiosk add --store S --area A --id k-tls 2>/dev/null | awk '$1=="token"{print $2}')
echo 'tls-user-pass' | $HQ --config "$DIR/hq.conf" user add boss --role chain --password-stdin >/dev/null

$HQ --config "$DIR/hq.conf" >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 600); do grep -q '^listening on ' "$DIR/out" && break; sleep 0.1; done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
[ -n "$PORT" ] || { echo "no listening line"; cat "$DIR/err"; exit 1; }
URL="https://127.0.0.1:$PORT"

curl -sS --cacert "$DIR/cert.pem" "$URL/healthz" | grep -q '^{"ok":true,.*"hq_time_ms":[0-9]*,"hq_clock_synced":\(true\|false\)}$'
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

# What openssl s_client negotiates: the cipher, or "(NONE)" when the handshake is refused.
negotiated() {
	echo | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" "$@" 2>/dev/null |
		sed -n 's/^New, [^,]*, Cipher is \(.*\)$/\1/p' | head -1
}
# SECLEVEL=0: the client itself would refuse TLS 1.1 otherwise, and that would prove nothing.
got=$(negotiated -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')
[ "$got" = "(NONE)" ] || { echo "TLS 1.1 accepted ($got)"; exit 1; }
echo "ok: TLS 1.1 refused"
got=$(negotiated -tls1_2)
case "$got" in ECDHE-*) ;; *) echo "TLS 1.2 gave [$got]"; exit 1 ;; esac
echo "ok: TLS 1.2 accepted, forward secret ($got)"
got=$(negotiated -tls1_3)
case "$got" in TLS_*) ;; *) echo "TLS 1.3 gave [$got]"; exit 1 ;; esac
echo "ok: TLS 1.3 accepted ($got)"
got=$(negotiated -tls1_2 -cipher AES128-GCM-SHA256)
[ "$got" = "(NONE)" ] || { echo "static-RSA (not forward-secret) cipher accepted ($got)"; exit 1; }
echo "ok: a cipher without forward secrecy (AES128-GCM-SHA256, RSA key exchange) refused"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || { echo "tally-hq exited $rc"; cat "$DIR/err"; exit 1; }

# The priority string is the admin's: TLS 1.3 only.
echo "tls_priorities = SECURE128:-VERS-ALL:+VERS-TLS1.3" >>"$DIR/hq.conf"
: >"$DIR/out"
$HQ --config "$DIR/hq.conf" >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 100); do grep -q '^listening on ' "$DIR/out" && break; sleep 0.1; done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DIR/out")
[ -n "$PORT" ] || { echo "no listening line"; cat "$DIR/err"; exit 1; }
[ "$(negotiated -tls1_2)" = "(NONE)" ] || { echo "TLS 1.2 accepted against tls_priorities"; exit 1; }
case "$(negotiated -tls1_3)" in TLS_*) ;; *) echo "TLS 1.3 refused"; exit 1 ;; esac
echo "ok: [hq] tls_priorities = SECURE128:-VERS-ALL:+VERS-TLS1.3 speaks TLS 1.3 only"
kill -TERM "$PID"
wait "$PID" || true
PID=""
sed -i 's/^tls_priorities = .*/tls_priorities = NORMAL:+NO-SUCH-THING/' "$DIR/hq.conf"
if $HQ --config "$DIR/hq.conf" >/dev/null 2>"$DIR/err3"; then echo "started with a bad priority string"; exit 1; fi
grep -q "tls_priorities" "$DIR/err3" || { cat "$DIR/err3"; exit 1; }
echo "ok: a bad priority string is refused: $(cat "$DIR/err3")"
sed -i '/^tls_priorities/d' "$DIR/hq.conf"

# A key other users can read is refused.
chmod 644 "$DIR/key.pem"
if $HQ --config "$DIR/hq.conf" >/dev/null 2>"$DIR/err4"; then echo "started with a world-readable key"; exit 1; fi
grep -q "readable by other users" "$DIR/err4" || { cat "$DIR/err4"; exit 1; }
echo "ok: a world-readable key is refused: $(cat "$DIR/err4")"
chmod 600 "$DIR/key.pem"

# A key that does not exist stops the start with a clear line, not a crash.
sed -i "s|^tls_key = .*|tls_key = $DIR/missing.pem|" "$DIR/hq.conf"
if $HQ --config "$DIR/hq.conf" >/dev/null 2>"$DIR/err2"; then echo "started without a key"; exit 1; fi
grep -q "missing.pem" "$DIR/err2"
echo "ok: missing key refused"
