#!/bin/sh
# Test vectors made outside clearjwt: keys, JWK sets and compact JWS/JWT tokens, built with
# the openssl CLI and POSIX tools only, plus manifest.json naming each case's expected outcome.
#
#   sh scripts/gen-fixtures.sh [outdir]      (default: fixtures; `npm run fixtures`)
#
# Keys and signatures are fresh on every run; the set of files and cases is not.
set -eu

OUT=${1:-fixtures}
NOW=1767225600
ISSUER=https://clearjwt.test/oidc
AUDIENCE=https://api.example.com
ALGS="ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512 EdDSA"

command -v openssl >/dev/null || { echo "gen-fixtures: openssl not found" >&2; exit 1; }

rm -rf "$OUT/keys" "$OUT/jwk" "$OUT"/jwks*.json "$OUT/manifest.json"
mkdir -p "$OUT/keys" "$OUT/jwk"
WORK="${TMPDIR:-/tmp}/gen-fixtures.$$"
rm -rf "$WORK"; mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

# Most work happens inside $(...), where `set -e` cannot stop the script: a failure leaves
# a mark that is checked before manifest.json is written.
fail() { echo "gen-fixtures: $*" >&2; : > "$WORK/failed"; exit 1; }

# ---------------------------------------------------------------------------------------
# Byte helpers. Binary values travel between functions as lowercase hex strings.

file_hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# Lowercase hex on stdin → the same bytes on stdout (printf octal escapes; dash and bash).
hex_bin() {
  printf "$(sed 's/../& /g' | awk '
    BEGIN { for (i = 0; i < 16; i++) v[substr("0123456789abcdef", i + 1, 1)] = i }
    { for (i = 1; i <= NF; i++) printf "\\%03o", v[substr($i, 1, 1)] * 16 + v[substr($i, 2, 1)] }')"
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
b64url_text() { printf '%s' "$1" | b64url; }
b64url_hex() { printf '%s' "$1" | hex_bin | b64url; }

# The last $2 bytes of hex string $1 (SPKI DER ends with the EC point / Ed25519 key).
hex_tail() { printf '%s' "$1" | awk -v n="$2" '{ print substr($0, length($0) - 2 * n + 1) }'; }
# Left-pad hex $1 with zero bytes (after dropping leading zero bytes) to $2 bytes.
hex_pad() {
  printf '%s' "$1" | awk -v n="$2" '{ s = $0; while (length(s) > 2 * n && substr(s, 1, 2) == "00") s = substr(s, 3)
    while (length(s) < 2 * n) s = "00" s; print s }'
}
# Flip the lowest bit of the last byte of hex $1.
hex_flip_last() {
  printf '%s' "$1" | awk '{ h = "0123456789abcdef"; last = substr($0, length($0), 1)
    d = index(h, last) - 1; d = d - d % 2 + (1 - d % 2); print substr($0, 1, length($0) - 1) substr(h, d + 1, 1) }'
}
# Drop the last $2 bytes of hex $1.
hex_drop() { printf '%s' "$1" | awk -v n="$2" '{ print substr($0, 1, length($0) - 2 * n) }'; }
hex_zeros() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "00"; print "" }'; }

# ---------------------------------------------------------------------------------------
# The algorithm table: alg → file stem, kid, hash, size.

stem() { printf '%s' "$1" | tr 'A-Z' 'a-z'; }
kid_of() { printf '%s-1' "$(stem "$1")"; }
hash_of() { case $1 in *256) echo sha256 ;; *384) echo sha384 ;; *512) echo sha512 ;; esac; }
hash_len() { case $1 in *256) echo 32 ;; *384) echo 48 ;; *512) echo 64 ;; esac; }
curve_of() { case $1 in ES256) echo P-256 ;; ES384) echo P-384 ;; ES512) echo P-521 ;; esac; }
# RFC 7518 §3.4: r and s are each this many bytes.
ec_len() { case $1 in ES256) echo 32 ;; ES384) echo 48 ;; ES512) echo 66 ;; esac; }

gen_key() { # alg → keys/<stem>.pem (PKCS#8) and keys/<stem>.pub.der (SPKI)
  pem="$OUT/keys/$(stem "$1").pem"
  case $1 in
    ES*) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:"$(curve_of "$1")" -out "$pem" ;;
    RS*|PS*) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pem" ;;
    EdDSA) openssl genpkey -quiet -algorithm ED25519 -out "$pem" ;;
  esac
  openssl pkey -in "$pem" -pubout -outform DER -out "$OUT/keys/$(stem "$1").pub.der"
}

# Sign signing input $3 with PEM key $2 for alg $1; prints the JWS signature as hex.
# ECDSA comes out of openssl as DER; set EC_DER=1 to keep it (the der-signature cases).
EC_DER=0
sign_hex() {
  printf '%s' "$3" > "$WORK/input"
  case $1 in
    ES*)
      openssl dgst -"$(hash_of "$1")" -sign "$2" -out "$WORK/sig" "$WORK/input" || fail "cannot sign $1"
      if [ "$EC_DER" = 1 ]; then file_hex "$WORK/sig"; return; fi
      # RFC 7518 §3.4: JWS wants r‖s, each fixed-length big-endian, not DER.
      n=$(ec_len "$1")
      openssl asn1parse -inform DER -in "$WORK/sig" | awk -F: '/INTEGER/ { print $NF }' | tr 'A-F' 'a-f' > "$WORK/rs"
      [ "$(wc -l < "$WORK/rs")" -eq 2 ] || fail "cannot parse the $1 DER signature"
      printf '%s%s' "$(hex_pad "$(sed -n 1p "$WORK/rs")" "$n")" "$(hex_pad "$(sed -n 2p "$WORK/rs")" "$n")" ;;
    RS*)
      openssl dgst -"$(hash_of "$1")" -sign "$2" -out "$WORK/sig" "$WORK/input" || fail "cannot sign $1"
      file_hex "$WORK/sig" ;;
    PS*)
      h=$(hash_of "$1")
      # RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
      openssl dgst -"$h" -sign "$2" -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:"$h" \
        -sigopt rsa_pss_saltlen:"$(hash_len "$1")" \
        -out "$WORK/sig" "$WORK/input" || fail "cannot sign $1"
      file_hex "$WORK/sig" ;;
    EdDSA)
      openssl pkeyutl -sign -rawin -inkey "$2" -in "$WORK/input" -out "$WORK/sig" || fail "cannot sign $1"
      file_hex "$WORK/sig" ;;
  esac
}

# ---------------------------------------------------------------------------------------
# JWKs, written from the SPKI DER (EC, OKP) or openssl's modulus (RSA).

rsa_n_e() { # SPKI DER file → "n e" as base64url
  n=$(openssl rsa -pubin -inform DER -in "$1" -noout -modulus | cut -d= -f2 | tr 'A-F' 'a-f')
  e=$(openssl rsa -pubin -inform DER -in "$1" -noout -text | sed -n 's/^Exponent: [0-9]* (0x\([0-9a-f]*\))$/\1/p')
  [ -n "$n" ] && [ -n "$e" ] || fail "cannot read the RSA key $1"
  [ $((${#e} % 2)) -eq 0 ] || e="0$e"
  printf '%s %s' "$(b64url_hex "$n")" "$(b64url_hex "$e")"
}

# Public JWK members (no kid/alg/use) for alg $1's key at SPKI DER file $2.
jwk_members() {
  spki=$(file_hex "$2")
  case $1 in
    ES*)
      n=$(ec_len "$1"); point=$(hex_tail "$spki" $((2 * n)))
      printf '"kty":"EC","crv":"%s","x":"%s","y":"%s"' "$(curve_of "$1")" \
        "$(b64url_hex "$(printf '%s' "$point" | cut -c1-$((2 * n)))")" \
        "$(b64url_hex "$(printf '%s' "$point" | cut -c$((2 * n + 1))-)")" ;;
    RS*|PS*)
      set -- $(rsa_n_e "$2")
      printf '"kty":"RSA","n":"%s","e":"%s"' "$1" "$2" ;;
    EdDSA)
      printf '"kty":"OKP","crv":"Ed25519","x":"%s"' "$(b64url_hex "$(hex_tail "$spki" 32)")" ;;
  esac
}

for alg in $ALGS; do gen_key "$alg"; done
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/keys/attacker-es256.pem"
openssl pkey -in "$OUT/keys/attacker-es256.pem" -pubout -outform DER -out "$OUT/keys/attacker-es256.pub.der"

full_jwks="" noalg_jwks=""
for alg in $ALGS; do
  members=$(jwk_members "$alg" "$OUT/keys/$(stem "$alg").pub.der")
  full="{$members,\"kid\":\"$(kid_of "$alg")\",\"use\":\"sig\",\"alg\":\"$alg\"}"
  full_jwks="$full_jwks${full_jwks:+,
    }$full"
  noalg_jwks="$noalg_jwks${noalg_jwks:+,
    }{$members,\"kid\":\"$(kid_of "$alg")\"}"
  printf '{\n  "keys": [\n    %s\n  ]\n}\n' "$full" > "$OUT/jwks-$(stem "$alg").json"
done
printf '{\n  "keys": [\n    %s\n  ]\n}\n' "$full_jwks" > "$OUT/jwks.json"
printf '{\n  "keys": [\n    %s\n  ]\n}\n' "$noalg_jwks" > "$OUT/jwks-noalg.json"

# Negative key material: keys/<name>.pem, jwk/<name>.json, a one-key jwks-<name>.json and a
# token signed by it (below).
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$OUT/keys/rsa-1024.pem"
openssl pkey -in "$OUT/keys/rsa-1024.pem" -pubout -outform DER -out "$OUT/keys/rsa-1024.pub.der"
RSA1024_JWK="{$(jwk_members RS256 "$OUT/keys/rsa-1024.pub.der"),\"kid\":\"rsa-1024\",\"use\":\"sig\",\"alg\":\"RS256\"}"
printf '%s\n' "$RSA1024_JWK" > "$OUT/jwk/rsa-1024.json"

openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/keys/ec-private.pem"
openssl pkey -in "$OUT/keys/ec-private.pem" -pubout -outform DER -out "$OUT/keys/ec-private.pub.der"
# RFC 5915: the SEC1 privateKey OCTET STRING is already fixed-length (32 bytes for P-256).
d_hex=$(openssl ec -in "$OUT/keys/ec-private.pem" -outform DER 2>/dev/null | openssl asn1parse -inform DER |
  awk -F: '/OCTET STRING/ { print $NF; exit }' | tr 'A-F' 'a-f')
[ ${#d_hex} -eq 64 ] || fail "cannot read the P-256 private scalar"
ECPRIV_JWK="{$(jwk_members ES256 "$OUT/keys/ec-private.pub.der"),\"d\":\"$(b64url_hex "$(hex_pad "$d_hex" 32)")\",\"kid\":\"ec-private\",\"use\":\"sig\",\"alg\":\"ES256\"}"
printf '%s\n' "$ECPRIV_JWK" > "$OUT/jwk/ec-private.json"

openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/keys/ec-offcurve.pem"
openssl pkey -in "$OUT/keys/ec-offcurve.pem" -pubout -outform DER -out "$WORK/ec-offcurve.pub.der"
off_spki=$(hex_flip_last "$(file_hex "$WORK/ec-offcurve.pub.der")")
# The changed y must really leave the curve: openssl must refuse the altered SPKI.
if printf '%s' "$off_spki" | hex_bin | openssl pkey -pubin -inform DER -noout 2>/dev/null; then
  fail "the altered point is still on the curve"
fi
off_point=$(hex_tail "$off_spki" 64)
ECOFF_JWK="{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"$(b64url_hex "$(printf '%s' "$off_point" | cut -c1-64)")\",\"y\":\"$(b64url_hex "$(printf '%s' "$off_point" | cut -c65-)")\",\"kid\":\"ec-offcurve\",\"use\":\"sig\",\"alg\":\"ES256\"}"
printf '%s\n' "$ECOFF_JWK" > "$OUT/jwk/ec-offcurve.json"

# Interop key material (issue #11): what issuers publish that RFC 7517/7518 frown on.
# RFC 7518 §6.3.1.1 says n has no leading zero octet, but the DER INTEGER in the SPKI — and
# the JWKs of issuers that copy it — carries the two's-complement sign octet 0x00 before a
# first byte ≥ 0x80. `openssl rsa -text` prints the modulus in that form (00:c3:…).
rs256_n_der=$(openssl rsa -pubin -inform DER -in "$OUT/keys/rs256.pub.der" -noout -text |
  awk '/^Modulus/ { on = 1; next } /^Exponent/ { on = 0 } on' | tr -d ' :\n' | tr 'A-F' 'a-f')
[ "$(printf '%s' "$rs256_n_der" | cut -c1-2)" = 00 ] && [ ${#rs256_n_der} -eq 514 ] || fail "cannot read the RS256 modulus with its sign octet"
set -- $(rsa_n_e "$OUT/keys/rs256.pub.der")
RSA_SIGN_OCTET_JWK="{\"kty\":\"RSA\",\"n\":\"$(b64url_hex "$rs256_n_der")\",\"e\":\"$2\",\"kid\":\"rs256-1\",\"use\":\"sig\",\"alg\":\"RS256\"}"
printf '%s\n' "$RSA_SIGN_OCTET_JWK" > "$OUT/jwk/rsa-sign-octet.json"
# RFC 7517 §4.3: "Duplicate key operation values MUST NOT be present in the array."
KEYOPS_DUP_JWK="{$(jwk_members ES256 "$OUT/keys/es256.pub.der"),\"kid\":\"es256-1\",\"key_ops\":[\"verify\",\"verify\"]}"
printf '%s\n' "$KEYOPS_DUP_JWK" > "$OUT/jwk/keyops-duplicate.json"
# RFC 9864 §2.2: the Ed25519 key with the fully-specified alg name.
ED25519_ALG_JWK="{$(jwk_members EdDSA "$OUT/keys/eddsa.pub.der"),\"kid\":\"eddsa-1\",\"use\":\"sig\",\"alg\":\"Ed25519\"}"
printf '%s\n' "$ED25519_ALG_JWK" > "$OUT/jwk/ed25519-alg.json"

for name in rsa-1024 ec-private ec-offcurve rsa-sign-octet keyops-duplicate ed25519-alg; do
  printf '{\n  "keys": [\n    %s\n  ]\n}\n' "$(cat "$OUT/jwk/$name.json")" > "$OUT/jwks-$name.json"
done

# ---------------------------------------------------------------------------------------
# Tokens and the manifest.

CASES="$WORK/cases"
: > "$CASES"
# add_case name layer jwks token expect [more JSON members, e.g. '"options": {...}']
add_case() {
  [ -s "$CASES" ] && printf ',\n' >> "$CASES"
  printf '    { "name": "%s", "layer": "%s", "jwks": "%s", "token": "%s", "expect": "%s"' "$1" "$2" "$3" "$4" "$5" >> "$CASES"
  [ $# -ge 6 ] && printf ', %s' "$6" >> "$CASES"
  printf ' }' >> "$CASES"
}

# token alg key header-json payload-json → compact JWS signed over the header as given.
token() {
  input="$(b64url_text "$3").$(b64url_text "$4")"
  printf '%s.%s' "$input" "$(b64url_hex "$(sign_hex "$1" "$2" "$input")")"
}

JWS_PAYLOAD="{\"sub\":\"user_123\",\"iss\":\"$ISSUER\",\"aud\":\"$AUDIENCE\",\"exp\":4102444800,\"iat\":$NOW}"
P64=$(b64url_text "$JWS_PAYLOAD")
SIG_INVALID=auth.jws_signature_invalid

# (a) JWS layer, for every algorithm.
for alg in $ALGS; do
  s=$(stem "$alg"); kid=$(kid_of "$alg"); key="$OUT/keys/$s.pem"
  header="{\"alg\":\"$alg\",\"kid\":\"$kid\",\"typ\":\"at+jwt\"}"
  h64=$(b64url_text "$header")
  sig=$(sign_hex "$alg" "$key" "$h64.$P64")
  add_case "$s/valid" jws jwks.json "$h64.$P64.$(b64url_hex "$sig")" valid
  add_case "$s/valid-jwks-noalg" jws jwks-noalg.json "$h64.$P64.$(b64url_hex "$sig")" valid
  add_case "$s/valid-nokid" jws "jwks-$s.json" \
    "$(token "$alg" "$key" "{\"alg\":\"$alg\",\"typ\":\"at+jwt\"}" "$JWS_PAYLOAD")" valid
  add_case "$s/tampered-header" jws jwks.json \
    "$(b64url_text "{\"alg\":\"$alg\",\"kid\":\"$kid\",\"typ\":\"JWT\"}").$P64.$(b64url_hex "$sig")" "$SIG_INVALID"
  add_case "$s/tampered-payload" jws jwks.json \
    "$h64.$(b64url_text "{\"sub\":\"admin\",\"iss\":\"$ISSUER\",\"aud\":\"$AUDIENCE\",\"exp\":4102444800,\"iat\":$NOW}").$(b64url_hex "$sig")" "$SIG_INVALID"
  add_case "$s/tampered-signature" jws jwks.json "$h64.$P64.$(b64url_hex "$(hex_flip_last "$sig")")" "$SIG_INVALID"
  # Drop whole bytes (not characters) so the segment stays canonical base64url.
  add_case "$s/truncated-signature" jws jwks.json "$h64.$P64.$(b64url_hex "$(hex_drop "$sig" 1)")" "$SIG_INVALID"
  add_case "$s/wrong-kid" jws jwks.json \
    "$(token "$alg" "$key" "{\"alg\":\"$alg\",\"kid\":\"$s-999\",\"typ\":\"at+jwt\"}" "$JWS_PAYLOAD")" auth.jwks_key_not_found
  case $alg in ES*)
    EC_DER=1
    add_case "$s/der-signature" jws jwks.json "$h64.$P64.$(b64url_hex "$(sign_hex "$alg" "$key" "$h64.$P64")")" "$SIG_INVALID"
    EC_DER=0
    # r = s = 0 at the right length: the "psychic signature" (CVE-2022-21449).
    add_case "$s/zero-signature" jws jwks.json "$h64.$P64.$(b64url_hex "$(hex_zeros $((2 * $(ec_len "$alg"))))")" "$SIG_INVALID"
  esac
done

# (a) JWS layer, once.
ES256_KEY="$OUT/keys/es256.pem"
ES256_H="{\"alg\":\"ES256\",\"kid\":\"es256-1\",\"typ\":\"at+jwt\"}"
VALID_ES256=$(token ES256 "$ES256_KEY" "$ES256_H" "$JWS_PAYLOAD")
VALID_H64=${VALID_ES256%%.*}
VALID_SIG64=${VALID_ES256##*.}

# Header rules come before the signature segment is looked at, so the classic empty
# signature of alg none is refused for its alg (an empty signature alone is jws_malformed).
add_case jws/alg-none jws jwks.json "$(b64url_text '{"alg":"none"}').$P64." auth.jws_alg_not_allowed
add_case jws/alg-none-with-signature jws jwks.json \
  "$(b64url_text '{"alg":"none","kid":"es256-1"}').$P64.$VALID_SIG64" auth.jws_alg_not_allowed
add_case jws/alg-unknown jws jwks.json \
  "$(b64url_text '{"alg":"ES256K","kid":"es256-1"}').$P64.$VALID_SIG64" auth.jws_alg_not_allowed
add_case jws/alg-missing jws jwks.json \
  "$(token ES256 "$ES256_KEY" '{"kid":"es256-1","typ":"at+jwt"}' "$JWS_PAYLOAD")" auth.jws_header_invalid

# HS256 keyed with the RS256 public key's PEM text: the classic algorithm confusion.
hmac() { # header-json hex-key → compact token
  input="$(b64url_text "$1").$P64"
  printf '%s' "$input" > "$WORK/input"
  openssl dgst -sha256 -mac HMAC -macopt hexkey:"$2" -binary -out "$WORK/sig" "$WORK/input" || fail "cannot HMAC"
  printf '%s.%s' "$input" "$(b64url_hex "$(file_hex "$WORK/sig")")"
}
openssl pkey -pubin -inform DER -in "$OUT/keys/rs256.pub.der" -out "$WORK/rs256.pub.pem"
add_case jws/hs256-confusion jws jwks.json \
  "$(hmac '{"alg":"HS256","kid":"rs256-1","typ":"at+jwt"}' "$(file_hex "$WORK/rs256.pub.pem")")" auth.jws_alg_not_allowed
add_case jws/alg-HS256 jws jwks.json \
  "$(hmac '{"alg":"HS256","typ":"JWT"}' "$(openssl rand -hex 32)")" auth.jws_alg_not_allowed

pad=$(awk 'BEGIN { for (i = 0; i < 20480; i++) printf "a"; print "" }')
add_case jws/oversized jws jwks.json \
  "$(token ES256 "$ES256_KEY" "$ES256_H" "{\"sub\":\"user_123\",\"exp\":4102444800,\"padding\":\"$pad\"}")" auth.token_too_large

add_case jws/jwe-five-segments jws jwks.json \
  "$(b64url_text '{"alg":"RSA-OAEP","enc":"A256GCM","kid":"rs256-1"}').$(b64url_hex "$(openssl rand -hex 256)").$(b64url_hex "$(openssl rand -hex 12)").$(b64url_hex "$(openssl rand -hex 64)").$(b64url_hex "$(openssl rand -hex 16)")" \
  auth.jwe_not_supported
add_case jws/two-segments jws jwks.json "$VALID_H64.$P64" auth.jws_malformed
add_case jws/four-segments jws jwks.json "$VALID_ES256.$VALID_SIG64" auth.jws_malformed
add_case jws/one-segment jws jwks.json "$VALID_H64" auth.jws_malformed
add_case jws/empty-header jws jwks.json ".$P64.$VALID_SIG64" auth.jws_malformed
add_case jws/empty-signature jws jwks.json "$VALID_H64.$P64." auth.jws_malformed
# A 64-byte signature is 86 base64url characters; padded base64 would add "==".
add_case jws/padded-base64 jws jwks.json "$VALID_ES256==" auth.base64url_invalid
add_case jws/base64-standard-alphabet jws jwks.json "$VALID_H64.$P64.+/${VALID_SIG64#??}" auth.base64url_invalid

add_case jws/crit-header jws jwks.json \
  "$(token ES256 "$ES256_KEY" '{"alg":"ES256","kid":"es256-1","typ":"at+jwt","crit":["exp"],"exp":1}' "$JWS_PAYLOAD")" auth.jws_crit_unsupported
# RFC 7797 would sign the raw payload; either way the header rules refuse before any signature check.
add_case jws/b64-false jws jwks.json \
  "$(token ES256 "$ES256_KEY" '{"alg":"ES256","kid":"es256-1","b64":false,"crit":["b64"]}' "$JWS_PAYLOAD")" auth.jws_crit_unsupported
add_case jws/b64-false-nocrit jws jwks.json \
  "$(token ES256 "$ES256_KEY" '{"alg":"ES256","kid":"es256-1","b64":false}' "$JWS_PAYLOAD")" auth.jws_b64_unsupported

attacker_jwk="{$(jwk_members ES256 "$OUT/keys/attacker-es256.pub.der")}"
add_case jws/jwk-header-attack jws jwks.json \
  "$(token ES256 "$OUT/keys/attacker-es256.pem" "{\"alg\":\"ES256\",\"kid\":\"es256-1\",\"typ\":\"at+jwt\",\"jwk\":$attacker_jwk}" "$JWS_PAYLOAD")" "$SIG_INVALID"
add_case jws/jku-header jws jwks.json \
  "$(token ES256 "$ES256_KEY" '{"alg":"ES256","kid":"es256-1","typ":"at+jwt","jku":"https://attacker.example/jwks.json"}' "$JWS_PAYLOAD")" valid
add_case jws/kid-number jws jwks.json \
  "$(token ES256 "$ES256_KEY" '{"alg":"ES256","kid":123,"typ":"at+jwt"}' "$JWS_PAYLOAD")" auth.jws_header_invalid
add_case jws/header-not-object jws jwks.json "$(token ES256 "$ES256_KEY" '[1]' "$JWS_PAYLOAD")" auth.jws_header_invalid
add_case jws/header-not-json jws jwks.json "$(token ES256 "$ES256_KEY" '{"alg":"ES256",' "$JWS_PAYLOAD")" auth.jws_header_invalid

# The RS256 key signing PS256: the key's JWK says alg RS256, so the token is refused;
# the same token against the alg-less set is valid (RFC 7517 §4.4: alg is optional).
mismatch=$(token PS256 "$OUT/keys/rs256.pem" '{"alg":"PS256","kid":"rs256-1","typ":"at+jwt"}' "$JWS_PAYLOAD")
add_case jws/alg-mismatch-key jws jwks.json "$mismatch" auth.jwk_alg_mismatch
add_case jws/alg-mismatch-key-jwks-noalg jws jwks-noalg.json "$mismatch" valid

# Tokens whose kid names an unusable key. RFC 7517 §5: a set's unusable keys are skipped,
# so the token finds no key; keyError is why importing that one JWK must fail.
add_case jws/rsa-1024-key jws jwks-rsa-1024.json \
  "$(token RS256 "$OUT/keys/rsa-1024.pem" '{"alg":"RS256","kid":"rsa-1024","typ":"at+jwt"}' "$JWS_PAYLOAD")" \
  auth.jwks_key_not_found '"keyError": "auth.jwk_rsa_too_small"'
add_case jws/ec-private-key jws jwks-ec-private.json \
  "$(token ES256 "$OUT/keys/ec-private.pem" '{"alg":"ES256","kid":"ec-private","typ":"at+jwt"}' "$JWS_PAYLOAD")" \
  auth.jwks_key_not_found '"keyError": "auth.jwk_private_key"'
add_case jws/ec-offcurve-key jws jwks-ec-offcurve.json \
  "$(token ES256 "$OUT/keys/ec-offcurve.pem" '{"alg":"ES256","kid":"ec-offcurve","typ":"at+jwt"}' "$JWS_PAYLOAD")" \
  auth.jwks_key_not_found '"keyError": "auth.jwk_invalid"'

# Interop (issue #11): RFC 9864's "Ed25519" alg verifies with an Ed25519 key whose JWK has no
# alg or alg "Ed25519"; a JWK alg pins the key to that one name (RFC 7517 §4.4).
ed25519_token=$(token EdDSA "$OUT/keys/eddsa.pem" '{"alg":"Ed25519","kid":"eddsa-1","typ":"at+jwt"}' "$JWS_PAYLOAD")
add_case interop/alg-ed25519-jwks-noalg jws jwks-noalg.json "$ed25519_token" valid
add_case interop/alg-ed25519-jwk-alg-ed25519 jws jwks-ed25519-alg.json "$ed25519_token" valid
add_case interop/alg-ed25519-jwk-alg-eddsa jws jwks.json "$ed25519_token" auth.jwk_alg_mismatch
add_case interop/alg-eddsa-jwk-alg-ed25519 jws jwks-ed25519-alg.json \
  "$(token EdDSA "$OUT/keys/eddsa.pem" '{"alg":"EdDSA","kid":"eddsa-1","typ":"at+jwt"}' "$JWS_PAYLOAD")" auth.jwk_alg_mismatch
add_case interop/rsa-n-sign-octet jws jwks-rsa-sign-octet.json \
  "$(token RS256 "$OUT/keys/rs256.pem" '{"alg":"RS256","kid":"rs256-1","typ":"at+jwt"}' "$JWS_PAYLOAD")" valid
add_case interop/key-ops-duplicate jws jwks-keyops-duplicate.json \
  "$(token ES256 "$ES256_KEY" "$ES256_H" "$JWS_PAYLOAD")" \
  auth.jwks_key_not_found '"keyError": "auth.jwk_invalid"'

# (b) JWT layer: Logto-shaped access tokens, all signed by the ES384 key.
ES384_KEY="$OUT/keys/es384.pem"
jwt_case() { # name expect header-json payload-json [options]
  name=$1 expect=$2 header=$3 payload=$4
  shift 4
  add_case "jwt/$name" jwt jwks.json "$(token ES384 "$ES384_KEY" "$header" "$payload")" "$expect" "$@"
}
# claims [overrides...]: the default Logto claims; an override "name:json" replaces or adds
# a claim, "name:" removes it. Output keeps the default order, new claims at the end.
claims() {
  jti=$(openssl rand -hex 10)
  printf 'jti:"%s"\nsub:"user_123"\niat:%s\nexp:%s\nscope:"read:profile write:profile"\nclient_id:"demo-client"\niss:"%s"\naud:"%s"\n' \
    "$jti" $((NOW - 60)) $((NOW + 3600)) "$ISSUER" "$AUDIENCE" > "$WORK/claims"
  for override in "$@"; do printf '%s\n' "$override"; done > "$WORK/overrides"
  awk '
    FILENAME == ARGV[1] { i = index($0, ":"); k = substr($0, 1, i - 1); over[k] = substr($0, i + 1); order[++n] = k; next }
    { i = index($0, ":"); k = substr($0, 1, i - 1); v = substr($0, i + 1)
      if (k in over) { v = over[k]; delete over[k] }
      if (v != "") out = out (out == "" ? "" : ",") "\"" k "\":" v }
    END { for (j = 1; j <= n; j++) if (order[j] in over && over[order[j]] != "")
            out = out "," "\"" order[j] "\":" over[order[j]]
          print "{" out "}" }' "$WORK/overrides" "$WORK/claims"
}
H384="{\"alg\":\"ES384\",\"typ\":\"at+jwt\",\"kid\":\"es384-1\"}"
h384() { printf '{"alg":"ES384","typ":"%s","kid":"es384-1"}' "$1"; }
TYP='"options": { "typ": "at+jwt" }'
ADMIN='"options": { "requiredScopes": ["admin"] }'

jwt_case logto-valid valid "$H384" "$(claims)"
jwt_case expired auth.jwt_expired "$H384" "$(claims "iat:$((NOW - 7200))" "exp:$((NOW - 3600))")"
jwt_case expired-within-tolerance valid "$H384" "$(claims "iat:$((NOW - 3600))" "exp:$((NOW - 2))")"
jwt_case not-yet-valid auth.jwt_not_yet_valid "$H384" "$(claims "nbf:$((NOW + 3600))")"
jwt_case nbf-within-tolerance valid "$H384" "$(claims "nbf:$((NOW + 2))")"
jwt_case iat-future-2s valid "$H384" "$(claims "iat:$((NOW + 2))")"
jwt_case iat-future-1h auth.jwt_iat_in_future "$H384" "$(claims "iat:$((NOW + 3600))" "exp:$((NOW + 7200))")"
jwt_case wrong-issuer auth.jwt_issuer_mismatch "$H384" "$(claims 'iss:"https://evil.example/oidc"')"
jwt_case trailing-slash-issuer auth.jwt_issuer_mismatch "$H384" "$(claims "iss:\"$ISSUER/\"")"
jwt_case aud-array-with-ours valid "$H384" "$(claims "aud:[\"https://other.example\",\"$AUDIENCE\"]")"
jwt_case aud-array-without-ours auth.jwt_audience_mismatch "$H384" "$(claims 'aud:["https://other.example","https://api.example.com/"]')"
jwt_case aud-missing auth.jwt_audience_mismatch "$H384" "$(claims 'aud:')"
jwt_case aud-number auth.jwt_claim_invalid "$H384" "$(claims 'aud:123')"
jwt_case missing-scope auth.insufficient_scope "$H384" "$(claims)" "$ADMIN"
jwt_case scope-present valid "$H384" "$(claims 'scope:"read:profile admin"')" "$ADMIN"
jwt_case scope-substring-only auth.insufficient_scope "$H384" "$(claims 'scope:"read:profile administrator"')" "$ADMIN"
jwt_case scp-array valid "$H384" "$(claims 'scope:' 'scp:["admin"]')" "$ADMIN"
# Microsoft Entra ID: scp as one space-separated string (issue #11).
jwt_case scp-string valid "$H384" "$(claims 'scope:' 'scp:"read:profile admin"')" "$ADMIN"
jwt_case scp-string-without-scope auth.insufficient_scope "$H384" "$(claims 'scope:' 'scp:"read:profile administrator"')" "$ADMIN"
jwt_case scp-string-no-scope-required valid "$H384" "$(claims 'scope:' 'scp:"read:profile"')"
jwt_case exp-string auth.jwt_claim_invalid "$H384" "$(claims "exp:\"$((NOW + 3600))\"")"
jwt_case exp-missing auth.jwt_exp_missing "$H384" "$(claims 'exp:')"
jwt_case iss-number auth.jwt_claim_invalid "$H384" "$(claims 'iss:1')"
jwt_case nbf-string auth.jwt_claim_invalid "$H384" "$(claims "nbf:\"$((NOW - 60))\"")"
jwt_case iat-string auth.jwt_claim_invalid "$H384" "$(claims "iat:\"$((NOW - 60))\"")"
jwt_case payload-not-object auth.jwt_payload_invalid "$H384" '[1,2]'
jwt_case payload-not-json auth.jwt_payload_invalid "$H384" '{"sub":"user_123",'
jwt_case typ-at-jwt valid "$(h384 'at+jwt')" "$(claims)" "$TYP"
jwt_case typ-at-jwt-uppercase valid "$(h384 'AT+JWT')" "$(claims)" "$TYP"
jwt_case typ-application-at-jwt valid "$(h384 'application/at+jwt')" "$(claims)" "$TYP"
jwt_case typ-jwt auth.jwt_typ_mismatch "$(h384 'JWT')" "$(claims)" "$TYP"
jwt_case typ-missing auth.jwt_typ_mismatch '{"alg":"ES384","kid":"es384-1"}' "$(claims)" "$TYP"
jwt_case organization-token valid "$H384" "$(claims 'organization_id:"org_7a1b2c3d"')"

# (c) Logto organizations (issue #11): the three token kinds × right/wrong organization ×
# right/wrong audience, all signed by the ES384 key. "organization" is the id the route is
# for; absent, the case runs on a global route (plain verify). The verifier's options are
# the manifest's issuer and audience; the organization verifier's apiAudience is that audience.
ORG=org7a1b2c3d
OTHER_ORG=org9z8y7x6w
ORG_JWKS=jwks-es384.json
org_case() { # name expect payload route-organization
  add_case "organization/$1" organization "$ORG_JWKS" "$(token ES384 "$ES384_KEY" "$H384" "$3")" "$2" "\"organization\": \"$4\""
}
ORG_TOKEN=$(claims "aud:\"urn:logto:organization:$ORG\"" 'scope:"read:members"')
ORG_API_TOKEN=$(claims "organization_id:\"$ORG\"")
GLOBAL_TOKEN=$(claims)
org_case organization-token-right-org valid "$ORG_TOKEN" "$ORG"
org_case organization-token-other-org auth.organization_mismatch "$ORG_TOKEN" "$OTHER_ORG"
org_case organization-token-wrong-audience auth.jwt_audience_mismatch "$(claims 'aud:"https://other.example"' 'scope:"read:members"')" "$ORG"
org_case organization-token-aud-array-right-org valid "$(claims "aud:[\"https://other.example\",\"urn:logto:organization:$ORG\"]")" "$ORG"
org_case organization-api-token-right-org valid "$ORG_API_TOKEN" "$ORG"
org_case organization-api-token-other-org auth.organization_mismatch "$ORG_API_TOKEN" "$OTHER_ORG"
org_case organization-api-token-wrong-audience auth.jwt_audience_mismatch "$(claims 'aud:"https://other.example"' "organization_id:\"$ORG\"")" "$ORG"
org_case organization-api-token-urn-of-other-org auth.organization_mismatch "$(claims "aud:\"urn:logto:organization:$OTHER_ORG\"" "organization_id:\"$OTHER_ORG\"")" "$ORG"
org_case global-token-on-organization-route auth.organization_token_required "$GLOBAL_TOKEN" "$ORG"
org_case global-token-wrong-audience auth.jwt_audience_mismatch "$(claims 'aud:"https://other.example"')" "$ORG"
org_case route-id-with-urn auth.organization_id_invalid "$ORG_TOKEN" "$ORG:x"
org_case route-id-with-space auth.organization_id_invalid "$ORG_TOKEN" "$ORG x"
org_case route-id-with-quote auth.organization_id_invalid "$ORG_TOKEN" "$ORG\\\""
org_case route-id-empty auth.organization_id_invalid "$ORG_TOKEN" ""
# The same tokens on a global route: the core alone, no organization.
add_case organization/global-token-global-route organization "$ORG_JWKS" "$(token ES384 "$ES384_KEY" "$H384" "$GLOBAL_TOKEN")" valid
add_case organization/organization-token-global-route organization "$ORG_JWKS" "$(token ES384 "$ES384_KEY" "$H384" "$ORG_TOKEN")" auth.jwt_audience_mismatch

# (d) Several issuers (issue #11): a second issuer whose own ES384 key has the SAME kid as the
# first issuer's (es384-1), and its own audience. A key of one issuer must never verify a
# token claiming the other, in either direction.
ISSUER2=https://second.clearjwt.test/oidc
AUDIENCE2=https://api2.example.com
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$OUT/keys/issuer2-es384.pem"
openssl pkey -in "$OUT/keys/issuer2-es384.pem" -pubout -outform DER -out "$OUT/keys/issuer2-es384.pub.der"
printf '{\n  "keys": [\n    %s\n  ]\n}\n' "{$(jwk_members ES384 "$OUT/keys/issuer2-es384.pub.der"),\"kid\":\"es384-1\",\"use\":\"sig\",\"alg\":\"ES384\"}" > "$OUT/jwks-issuer2.json"
ISSUER2_KEY="$OUT/keys/issuer2-es384.pem"
issuer_case() { # name expect key payload
  add_case "issuers/$1" issuers jwks-es384.json "$(token ES384 "$3" "$H384" "$4")" "$2"
}
issuer_case first-issuer valid "$ES384_KEY" "$(claims)"
issuer_case second-issuer valid "$ISSUER2_KEY" "$(claims "iss:\"$ISSUER2\"" "aud:\"$AUDIENCE2\"")"
issuer_case first-key-claims-second-issuer auth.jws_signature_invalid "$ES384_KEY" "$(claims "iss:\"$ISSUER2\"" "aud:\"$AUDIENCE2\"")"
issuer_case second-key-claims-first-issuer auth.jws_signature_invalid "$ISSUER2_KEY" "$(claims)"
issuer_case unconfigured-issuer auth.jwt_issuer_mismatch "$ES384_KEY" "$(claims 'iss:"https://stranger.logto.app/oidc"')"
issuer_case issuer-with-trailing-slash auth.jwt_issuer_mismatch "$ES384_KEY" "$(claims "iss:\"$ISSUER/\"")"
issuer_case issuer-missing auth.jwt_issuer_mismatch "$ES384_KEY" "$(claims 'iss:')"
issuer_case issuer-not-string auth.jwt_issuer_mismatch "$ES384_KEY" "$(claims 'iss:["https://clearjwt.test/oidc"]')"
issuer_case second-issuer-first-audience auth.jwt_audience_mismatch "$ISSUER2_KEY" "$(claims "iss:\"$ISSUER2\"")"
issuer_case first-issuer-second-audience auth.jwt_audience_mismatch "$ES384_KEY" "$(claims "aud:\"$AUDIENCE2\"")"

[ ! -e "$WORK/failed" ] || exit 1

# manifest.json: the keys and every case, in generation order.
{
  printf '{\n  "generatedBy": "scripts/gen-fixtures.sh",\n  "now": %s,\n  "clockTolerance": 5,\n' "$NOW"
  printf '  "issuer": "%s",\n  "audience": "%s",\n' "$ISSUER" "$AUDIENCE"
  printf '  "secondIssuer": { "issuer": "%s", "audience": "%s", "jwks": "jwks-issuer2.json" },\n' "$ISSUER2" "$AUDIENCE2"
  printf '  "keys": [\n'
  sep=""
  for alg in $ALGS; do
    s=$(stem "$alg")
    printf '%s    { "alg": "%s", "kid": "%s", "privateKey": "keys/%s.pem", "spki": "keys/%s.pub.der", "jwks": "jwks-%s.json" }' \
      "$sep" "$alg" "$(kid_of "$alg")" "$s" "$s" "$s"
    sep=",
"
  done
  printf '\n  ],\n  "cases": [\n'
  cat "$CASES"
  printf '\n  ]\n}\n'
} > "$OUT/manifest.json"

echo "gen-fixtures: wrote $(grep -c '"name":' "$OUT/manifest.json") cases to $OUT" >&2
