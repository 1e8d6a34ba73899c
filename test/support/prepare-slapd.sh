#!/usr/bin/env bash
# prepare-slapd.sh DIR — lay out a throwaway slapd in DIR (an empty dir from mktemp -d).
# Makes tls/, slapd.conf → slapd.d/ (cn=config), db/ (with the base entries) and seed.ldif.
# SLAPD_TLS_ONLY=1 in the environment: simple binds only under TLS (LDAPS or StartTLS).
# Starts nothing. Needs the Debian packages slapd, ldap-utils and openssl.
# From ../shared/recipes/slapd-for-tests.md §2, plus: one person (dan) whose DN holds a
# backslash as well as a comma and parentheses; a second group named "ops" in another OU
# (ou=partners, with bob), which must never count as cn=ops,ou=groups; and one person
# (gwen) with a binary objectGUID as Active Directory has, from a small test-only schema.
set -euo pipefail
T=${1:?usage: prepare-slapd.sh DIR}
BASE=dc=example,dc=org
mkdir -p "$T/db" "$T/slapd.d" "$T/tls"

# --- throwaway CA and server certificate (SAN IP:127.0.0.1 + DNS:localhost), 2 days
cd "$T/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=throwaway test CA" -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=localhost" -keyout server.key -out server.csr
printf '%s\n' "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
  "subjectAltName=IP:127.0.0.1,DNS:localhost" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
  -extfile server.ext -out server.pem
cd "$T"

# --- an Active Directory-like objectGUID (16 raw bytes), for the LDAP_ID_ATTRIBUTE tests.
# OIDs under OpenLDAP's experimental arc (1.3.6.1.4.1.4203.666): test-only.
cat > ad-like.schema <<'EOF'
attributetype ( 1.3.6.1.4.1.4203.666.11.99.1 NAME 'objectGUID'
  DESC 'test only: a binary GUID, as Active Directory keeps it'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.99.2 NAME 'adLikePerson'
  DESC 'test only: an entry with an objectGUID' SUP top AUXILIARY MAY objectGUID )
EOF

# --- config (slapd.conf syntax; converted to cn=config below)
cat > slapd.conf <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
include $T/ad-like.schema

pidfile  $T/slapd.pid
argsfile $T/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof

TLSCACertificateFile  $T/tls/ca.pem
TLSCertificateFile    $T/tls/server.pem
TLSCertificateKeyFile $T/tls/server.key

# no anonymous bind, and nothing but bind/StartTLS before an authenticated bind
disallow bind_anon
require  authc
# SLAPD_TLS_ONLY=1: refuse simple binds not under TLS (confidentialityRequired, 13)
$([ "${SLAPD_TLS_ONLY:-0}" = 1 ] && echo "security simple_bind=128")

database mdb
suffix    "$BASE"
rootdn    "cn=admin,$BASE"
rootpw    $(slappasswd -s rootsecret)
directory $T/db
maxsize   104857600
index objectClass eq
index uid,cn,mail eq
index member,memberOf eq

overlay memberof
memberof-group-oc    groupOfNames
memberof-member-ad   member
memberof-memberof-ad memberOf
memberof-refint      TRUE

# passwords: usable for bind, readable by nobody but their owner (and the rootdn)
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by users read
  by * none
EOF

# --- base entries, loaded offline; this also creates db/data.mdb
cat > base.ldif <<EOF
dn: $BASE
objectClass: dcObject
objectClass: organization
dc: example
o: Example Org

dn: ou=people,$BASE
objectClass: organizationalUnit
ou: people

dn: ou=groups,$BASE
objectClass: organizationalUnit
ou: groups

dn: ou=services,$BASE
objectClass: organizationalUnit
ou: services

dn: ou=partners,$BASE
objectClass: organizationalUnit
ou: partners
EOF
slapadd -f slapd.conf -l base.ldif
# convert to cn=config; run after slapadd: on an empty db/ slaptest fails, and -u skips writing
slaptest -f slapd.conf -F slapd.d

# --- people and groups: added over LDAP once slapd runs, so memberof fills in memberOf
cat > seed.ldif <<EOF
dn: cn=svc-app,ou=services,$BASE
objectClass: applicationProcess
objectClass: simpleSecurityObject
cn: svc-app
userPassword: $(slappasswd -s svc-pw)

dn: uid=alice,ou=people,$BASE
objectClass: inetOrgPerson
uid: alice
cn: Alice Archer
sn: Archer
givenName: Alice
mail: alice@example.org
userPassword: $(slappasswd -s alice-pw)

dn: uid=bob,ou=people,$BASE
objectClass: inetOrgPerson
uid: bob
cn: Bob Builder
sn: Builder
mail: bob@example.org
userPassword: $(slappasswd -s bob-pw)

dn: cn=Doe\, Jane (Ops),ou=people,$BASE
objectClass: inetOrgPerson
uid: jdoe
cn: Doe, Jane (Ops)
sn: Doe
givenName: Jane
mail: jane.doe@example.org
userPassword: $(slappasswd -s jane-pw)

dn: uid=carol,ou=people,$BASE
objectClass: inetOrgPerson
uid: carol
cn: Carol Nogroup
sn: Nogroup
mail: carol@example.org
userPassword: $(slappasswd -s carol-pw)

dn: cn=Back\\\\slash\\, Dan (QA),ou=people,$BASE
objectClass: inetOrgPerson
uid: dan
cn: Back\\slash, Dan (QA)
sn: Slash
mail: dan@example.org
userPassword: $(slappasswd -s dan-pw)

# objectGUID bytes ff00fe80 c328 1234 5678 90abcdefa0b1: not UTF-8; as AD shows it,
# 80fe00ff-28c3-3412-5678-90abcdefa0b1
dn: uid=gwen,ou=people,$BASE
objectClass: inetOrgPerson
objectClass: adLikePerson
uid: gwen
cn: Gwen Guid
sn: Guid
mail: gwen@example.org
objectGUID:: /wD+gMMoEjRWeJCrze+gsQ==
userPassword: $(slappasswd -s gwen-pw)

dn: cn=platform,ou=groups,$BASE
objectClass: groupOfNames
cn: platform
member: uid=alice,ou=people,$BASE
member: uid=bob,ou=people,$BASE

dn: cn=ops,ou=groups,$BASE
objectClass: groupOfNames
cn: ops
member: cn=Doe\, Jane (Ops),ou=people,$BASE
member: uid=alice,ou=people,$BASE
member: cn=Back\\\\slash\\, Dan (QA),ou=people,$BASE

dn: cn=ops,ou=partners,$BASE
objectClass: groupOfNames
cn: ops
member: uid=bob,ou=people,$BASE
EOF
