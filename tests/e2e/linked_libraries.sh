# SPDX-License-Identifier: Apache-2.0
# Each program links only what it uses (the NEEDED entries of the release
# build), and the kiosk's programs load one TLS library between them:
# GnuTLS, through libcurl's GnuTLS flavour, never OpenSSL's libssl beside it.
. "$(dirname "$0")/lib.inc"
R="$TALLY_BUILD"
needed() { readelf -d "$R/$1" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'; }
# every library loaded, with what those load in turn
loaded() { ldd "$R/$1" | awk '{ print $1 }'; }

refuse() { # refuse PROGRAM PATTERN WHY
	if needed "$1" | grep -E -q "$2"; then
		fail "$1 links $(needed "$1" | grep -E "$2" | tr '\n' ' ')($3)"
	fi
}
refuse tallyctl 'SDL|gpiod|curl|microhttpd|gnutls|ssl|systemd|png|z\.so' "tallyctl reads a database and a config"
refuse tally-sync 'SDL|gpiod|microhttpd|png' "tally-sync is a network client"
refuse tally-hq 'SDL|gpiod|png|libcurl\.so' "tally-hq is a server (curl only in its GnuTLS flavour, for alerts)"
refuse tally-kiosk 'curl|microhttpd|gnutls|ssl' "the kiosk talks to no network"
extra=$(needed tallyctl | grep -E -v '^lib(jansson|sqlite3|inih|m|c)\.so\.' || true)
[ -z "$extra" ] || fail "tallyctl links more than SQLite, inih, jansson and libc: $(echo $extra)"
needed tally-hq | grep -q '^libcurl-gnutls\.so\.4$' || fail "tally-hq does not link libcurl's GnuTLS flavour: $(needed tally-hq | tr '\n' ' ')"
needed tally-sync | grep -q '^libcurl-gnutls\.so\.4$' || fail "tally-sync does not link libcurl's GnuTLS flavour: $(needed tally-sync | tr '\n' ' ')"
echo "ok: each program links what it uses"

for p in tally-kiosk tally-sync tallyctl; do
	tls=$(loaded "$p" | grep -E '^lib(ssl|gnutls|nss3|mbedtls|wolfssl)\.so' || true)
	case "$tls" in
	"" | libgnutls.so.*) ;;
	*) fail "$p loads TLS libraries: $(echo "$tls" | tr '\n' ' ')" ;;
	esac
done
loaded tally-sync | grep -q '^libgnutls\.so' || fail "tally-sync loads no GnuTLS"
echo "ok: one TLS library (GnuTLS) for the kiosk's programs"
