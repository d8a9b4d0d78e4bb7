#!/usr/bin/env bash
# Runs a real Apache Kafka cluster (KRaft, combined broker+controller nodes) on 127.0.0.1 for
# tests, the demo and CI. The jars come from Maven Central through scripts/kafka/pom.xml, so
# no tarball, Docker or ZooKeeper is needed: only a JDK 17+ and Maven.
#
# usage: scripts/kafka.sh COMMAND   (scripts/kafka.sh help lists the commands and knobs)
set -euo pipefail

readonly default_version=4.4.0

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

usage() {
  cat <<EOF
usage: scripts/kafka.sh COMMAND

commands:
  fetch            download the Kafka jars into the cache (once per version)
  start            fetch, format and start the cluster; wait until every broker is registered;
                   print the bootstrap servers on the last line of stdout
  stop             stop the brokers this script started (SIGTERM, then SIGKILL at the deadline)
  status           print each node's state; exit 0 only if all are running and registered
  bootstrap        print the PLAINTEXT bootstrap servers
  sasl-bootstrap   print the SASL_PLAINTEXT bootstrap servers (KAFKA_SASL=1 only)
  tls-bootstrap, mtls-bootstrap, sasl-ssl-bootstrap
                   print the SSL, mutual TLS and SASL_SSL bootstrap servers (KAFKA_TLS=1 only)
  tls-dir          print the directory of the certificates and keys (KAFKA_TLS=1 only)
  oidc-bootstrap, oidc-token-url
                   print the OIDC listener's bootstrap servers and the identity provider's token
                   endpoint (KAFKA_TLS=1 only)
  reset            stop and delete the state dir
  stop-node N      stop node N only
  start-node N     start node N only and wait until it is registered again
  topics ARGS...   org.apache.kafka.tools.TopicCommand --bootstrap-server <bootstrap> ARGS...
  configs ARGS...  ConfigCommand --bootstrap-server <bootstrap> ARGS...
  acls ARGS...     AclCommand --bootstrap-server <bootstrap> ARGS... (a cluster with KAFKA_ACL=1)
  cluster SUB ARGS...  ClusterTool SUB --bootstrap-server <bootstrap> ARGS... (e.g. unregister --id N)
                   (topics/configs/acls: pass your own --bootstrap-server to use another listener)

environment:
  KAFKA_VERSION        Kafka release from Maven Central (default: the version the state dir was
                       formatted with, else $default_version)
  KAFKA_NODES          number of nodes (default 1)
  KAFKA_PORT           first broker port (default 29092); node i listens on KAFKA_PORT+i-1,
                       its controller on KAFKA_PORT+100+i-1, its SASL listener on KAFKA_PORT+50+i-1
  KAFKA_SASL           1 adds a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512);
                       users: kafkainit/kafkainit-secret (PLAIN and SCRAM), admin/admin-secret (PLAIN)
  KAFKA_ACL            1 (needs KAFKA_SASL=1) turns the StandardAuthorizer on: User:ANONYMOUS (the
                       PLAINTEXT and controller listeners, hence the nodes themselves), admin and
                       kafkainit are super users; limited/limited-secret, svc-a/svc-a-secret and
                       svc-b/svc-b-secret (PLAIN) may do only what ACLs grant them (nothing at
                       first: no matching ACL means deny)
  KAFKA_TLS            1 (needs KAFKA_SASL=1) adds TLS listeners, with a CA and certificates made
                       by openssl when the state dir is created (tls-dir): SSL (server
                       authentication only) on KAFKA_PORT+150+i-1; SSL with a required client
                       certificate on KAFKA_PORT+200+i-1 (principal: the certificate's CN); SASL_SSL
                       on KAFKA_PORT+250+i-1 with PLAIN, SCRAM-SHA-512 (the users above) and
                       OAUTHBEARER (unsecured JWS that must carry the scope `kafka`). The client
                       certificate is CN=kafkainit, its key encrypted with kafkainit-key-secret.
                       And SASL_SSL with OAUTHBEARER validated against an identity provider
                       (scripts/kafka/oidc.py, python3) on KAFKA_PORT+350: the OIDC listener on
                       KAFKA_PORT+300+i-1 checks each token's RS256 signature against the provider's
                       JWKS; client kafkainit-client/kafkainit-client-secret at /token.
  KAFKA_STATE_DIR      data, logs and pid files (default <repo>/.kafka/n<NODES>-p<PORT>)
  KAFKA_HEAP           JVM heap options per node (default "-Xms256m -Xmx768m")
  KAFKA_OPTS           more JVM options per node
  KAFKA_INIT_CACHE     jar cache (default ~/.cache/kafka-init)
  KAFKA_START_TIMEOUT  seconds to wait for the cluster to be ready (default 90)
  KAFKA_STOP_TIMEOUT   seconds to wait for a node to exit before SIGKILL (default 30)

The state dir also holds client.properties and, with KAFKA_SASL=1, client-sasl.properties
(SCRAM-SHA-512 as kafkainit) for clients and --command-config.
EOF
}

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
join_by_comma() { local IFS=,; echo "$*"; }

# --- settings ---------------------------------------------------------------------------------

nodes=${KAFKA_NODES:-1}
# Below Linux's ephemeral range (32768+): a client retrying a port nobody listens on yet walks
# through source ports and can connect to itself there, which keeps the port from the broker.
port=${KAFKA_PORT:-29092}
{ is_uint "$nodes" && ((nodes >= 1 && nodes <= 9)); } || die "KAFKA_NODES must be 1..9, got '$nodes'"
{ is_uint "$port" && ((port >= 1024 && port + 350 + nodes <= 65535)); } ||
  die "KAFKA_PORT must leave room for KAFKA_PORT+350+KAFKA_NODES below 65536, got '$port'"

state=$(realpath -m "${KAFKA_STATE_DIR:-$repo/.kafka/n$nodes-p$port}")
settings_file=$state/cluster.env
cache=${KAFKA_INIT_CACHE:-$HOME/.cache/kafka-init}
start_timeout=${KAFKA_START_TIMEOUT:-90}
stop_timeout=${KAFKA_STOP_TIMEOUT:-30}
is_uint "$start_timeout" || die "KAFKA_START_TIMEOUT must be a number of seconds"
is_uint "$stop_timeout" || die "KAFKA_STOP_TIMEOUT must be a number of seconds"
read -ra heap_opts <<<"${KAFKA_HEAP:--Xms256m -Xmx768m}"
read -ra extra_opts <<<"${KAFKA_OPTS:-}"

if [[ -n ${JAVA_HOME:-} ]]; then
  java=$JAVA_HOME/bin/java javac=$JAVA_HOME/bin/javac
else
  java=java javac=javac
fi

# What the state dir was created with; a cluster keeps its version until it is reset.
recorded() {
  [[ -f $settings_file ]] || return 0
  sed -n "s/^$1=//p" "$settings_file"
}

version=${KAFKA_VERSION:-$(recorded version)}
version=${version:-$default_version}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KAFKA_VERSION must look like 4.1.0, got '$version'"
sasl=${KAFKA_SASL:-$(recorded sasl)}
sasl=${sasl:-0}
[[ $sasl == 0 || $sasl == 1 ]] || die "KAFKA_SASL must be 0 or 1, got '$sasl'"
# A state dir from before KAFKA_ACL has no acl line: it runs without an authorizer.
acl=${KAFKA_ACL:-$(recorded acl)}
acl=${acl:-0}
[[ $acl == 0 || $acl == 1 ]] || die "KAFKA_ACL must be 0 or 1, got '$acl'"
[[ $acl == 0 || $sasl == 1 ]] || die "KAFKA_ACL=1 needs KAFKA_SASL=1 (the restricted user logs in over SASL)"
tls=${KAFKA_TLS:-$(recorded tls)}
tls=${tls:-0}
[[ $tls == 0 || $tls == 1 ]] || die "KAFKA_TLS must be 0 or 1, got '$tls'"
[[ $tls == 0 || $sasl == 1 ]] || die "KAFKA_TLS=1 needs KAFKA_SASL=1 (its SASL_SSL listener has the SASL users)"

version_lt() { [[ $1 != "$2" && $(printf '%s\n' "$1" "$2" | sort -V | head -n 1) == "$1" ]]; }
! version_lt "$version" 3.3.0 || die "KRaft needs Kafka 3.3.0 or newer, got $version"
# StorageTool format --add-scram, the only way to have SCRAM users before the first start.
[[ $sasl == 0 ]] || ! version_lt "$version" 3.5.0 || die "KAFKA_SASL=1 needs Kafka 3.5.0 or newer"

dist=$cache/kafka-$version
# Keyed by content: worktrees on different commits share the cache without fetching over each
# other, and a changed pom (say, a log4j bump) is fetched afresh.
libs=$dist/libs-$(sha256sum <"$here/kafka/pom.xml" | cut -c1-16)
probe=$dist/probe-$(sha256sum <"$here/kafka/KafkaReady.java" | cut -c1-16)
log4j_config=$here/kafka/log4j2.properties

broker_port() { echo $((port + $1 - 1)); }
sasl_port() { echo $((port + 50 + $1 - 1)); }
controller_port() { echo $((port + 100 + $1 - 1)); }
tls_port() { echo $((port + 150 + $1 - 1)); }
mtls_port() { echo $((port + 200 + $1 - 1)); }
sasl_ssl_port() { echo $((port + 250 + $1 - 1)); }
oidc_port() { echo $((port + 300 + $1 - 1)); }
idp_port=$((port + 350))
idp_url=http://127.0.0.1:$idp_port
node_dir() { echo "$state/node-$1"; }
tls_dir=$state/tls

bootstrap() {
  local i servers=()
  for ((i = 1; i <= nodes; i++)); do servers+=("127.0.0.1:$(broker_port "$i")"); done
  join_by_comma "${servers[@]}"
}

sasl_bootstrap() { servers_of sasl_port; }

# The bootstrap servers of the listener whose port PORT_FN gives.
servers_of() {
  local i servers=()
  for ((i = 1; i <= nodes; i++)); do servers+=("127.0.0.1:$("$1" "$i")"); done
  join_by_comma "${servers[@]}"
}

all_nodes=()
for ((i = 1; i <= nodes; i++)); do all_nodes+=("$i"); done
all_ids() { join_by_comma "${all_nodes[@]}"; }

node_arg() {
  { is_uint "${1:-}" && (($1 >= 1 && $1 <= nodes)); } || die "node must be 1..$nodes, got '${1:-}'"
}

# --- jars -------------------------------------------------------------------------------------

fetch() {
  [[ -d $libs && -f $probe/KafkaReady.class ]] && return 0
  mkdir -p "$dist"
  (
    flock -w 900 9 || die "timed out waiting for another fetch of Kafka $version"
    if [[ ! -d $libs ]]; then
      command -v mvn >/dev/null || die "mvn not found: Maven is needed to download Kafka"
      say "downloading Kafka $version from Maven Central into $libs"
      rm -rf "$libs.tmp"
      if ! mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
        -Dkafka.version="$version" -DoutputDirectory="$libs.tmp" >"$dist/fetch.log" 2>&1; then
        cat "$dist/fetch.log" >&2
        die "could not download Kafka $version (is it released on Maven Central?)"
      fi
      mv "$libs.tmp" "$libs"
      # kafka-VERSION/libs, the path people look for, names the newest download.
      if [[ -L $dist/libs || ! -e $dist/libs ]]; then ln -sfn "${libs##*/}" "$dist/libs"; fi
    fi
    if [[ ! -f $probe/KafkaReady.class ]]; then
      command -v "$javac" >/dev/null || die "javac not found: a JDK 17+ is needed"
      rm -rf "$probe.tmp"
      "$javac" -nowarn -d "$probe.tmp" -cp "$libs/*" "$here/kafka/KafkaReady.java" >&2
      mv "$probe.tmp" "$probe"
    fi
  ) 9>"$dist.lock"
}

# C1 only: on a small machine it makes a broker ready ~2 s sooner; tests need no peak throughput.
jvm_flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$log4j_config")

kafka_java() { "$java" "${jvm_flags[@]}" -cp "$libs/*" "$@"; }

# Tools moved from the Scala core (kafka.admin) to kafka-tools across 3.x/4.x; take what exists.
tool_class() {
  local class jar
  for class; do
    for jar in "$libs"/kafka-tools-*.jar "$libs"/kafka_2.13-*.jar; do
      [[ -f $jar ]] && grep -qF "${class//.//}.class" "$jar" && { echo "$class"; return 0; }
    done
  done
  die "none of $* found in $libs"
}

# --- state dir --------------------------------------------------------------------------------

# Serialises start/stop/reset of one state dir, so parallel test runners can share a cluster.
# The lock file sits beside the state dir, so that reset can delete the dir while holding it.
lock_state() {
  local lock
  lock=$(dirname "$state")/.$(basename "$state").lock
  mkdir -p "$(dirname "$state")"
  exec 8>"$lock"
  flock -w $((start_timeout + stop_timeout + 60)) 8 || die "timed out waiting for the lock $lock"
}

init_state() {
  local key want have
  if [[ -f $settings_file ]]; then
    for key in version nodes port sasl acl tls; do
      want=${!key}
      have=$(recorded "$key")
      [[ $key != acl && $key != tls ]] || have=${have:-0}
      [[ $want == "$have" ]] ||
        die "$state was created with $key=$have, not $want: run 'scripts/kafka.sh reset' first or use another KAFKA_STATE_DIR"
    done
    if [[ $version != "$default_version" && -z ${KAFKA_VERSION:-} ]]; then
      say "note: $state runs Kafka $version (the default is $default_version; reset to switch)"
    fi
    return 0
  fi
  if [[ -d $state && -n $(ls -A "$state") ]]; then
    die "$state exists, is not empty and was not made by this script"
  fi
  mkdir -p "$state"
  local cluster_id
  # A Kafka Uuid is 16 random bytes in URL-safe base64; a leading '-' would read as an option.
  cluster_id=-
  while [[ $cluster_id == -* ]]; do
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  printf '%s\n' "version=$version" "nodes=$nodes" "port=$port" "sasl=$sasl" \
    "cluster_id=$cluster_id" >"$settings_file"
  [[ $acl == 0 ]] || echo "acl=$acl" >>"$settings_file"
  [[ $tls == 0 ]] || echo "tls=$tls" >>"$settings_file"
  printf '%s\n' "bootstrap.servers=$(bootstrap)" >"$state/client.properties"
  if [[ $sasl == 1 ]]; then
    printf '%s\n' "bootstrap.servers=$(sasl_bootstrap)" \
      "security.protocol=SASL_PLAINTEXT" "sasl.mechanism=SCRAM-SHA-512" \
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="kafkainit" password="kafkainit-secret";' \
      >"$state/client-sasl.properties"
  fi
  if [[ $tls == 1 ]]; then
    make_certificates
    printf '%s\n' "bootstrap.servers=$(servers_of tls_port)" "security.protocol=SSL" \
      "ssl.truststore.type=PEM" "ssl.truststore.location=$tls_dir/ca.pem" >"$state/client-tls.properties"
  fi
}

# KAFKA_TLS=1: a CA, the brokers' certificate (one for every node: they all listen on
# 127.0.0.1) and a client certificate with an encrypted key; plus what the tests of refused
# connections need: another CA, a client certificate that CA signed, and an expired one.
make_certificates() {
  command -v openssl >/dev/null || die "openssl not found: KAFKA_TLS=1 makes its certificates with it"
  local d=$tls_dir
  mkdir -p "$d"
  (
    cd "$d"
    exec >>openssl.log 2>&1
    set -x
    ssl() { openssl "$@" || die "openssl $1 failed (log: $d/openssl.log)"; }
    ca() { ssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$1.key" -out "$1.pem" -subj "/CN=$2"; }
    # sign NAME CA DAYS EXTENSIONS: NAME.pem from NAME.csr
    sign() {
      printf '%s\n' "$4" >"$1.ext"
      ssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days "$3" -sha256 \
        -extfile "$1.ext" -out "$1.pem"
    }
    ca ca "kafka-init test CA"
    ca other-ca "another CA"
    ssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=localhost"
    sign broker ca 3650 "subjectAltName=IP:127.0.0.1,DNS:localhost"
    ssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
      -passout pass:broker-store-secret -out broker.p12
    ssl req -newkey rsa:2048 -passout pass:kafkainit-key-secret -keyout client.key -out client.csr \
      -subj "/CN=kafkainit/O=kafka-init tests"
    sign client ca 3650 "extendedKeyUsage=clientAuth"
    # Signed by the other CA: the broker refuses it.
    ssl req -newkey rsa:2048 -nodes -keyout stranger.key -out stranger.csr -subj "/CN=stranger"
    sign stranger other-ca 3650 "extendedKeyUsage=clientAuth"
    # Expired: valid from 2 days ago to yesterday. `x509 -req` cannot backdate; `ca` can.
    ssl req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj "/CN=expired"
    mkdir -p ca-db && : >ca-db/index.txt
    printf '%s\n' '[ca]' 'default_ca=test' '[test]' 'database=ca-db/index.txt' 'new_certs_dir=ca-db' \
      'serial=ca-db/serial' 'default_md=sha256' 'policy=any' 'unique_subject=no' '[any]' 'commonName=supplied' >ca.cnf
    echo 01 >ca-db/serial
    ssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
      -startdate "$(date -u -d '2 days ago' +%Y%m%d%H%M%SZ)" -enddate "$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)"
    # The identity provider's signing key.
    ssl genrsa -out oidc.key 2048
    rm -f ./*.csr ./*.ext
  ) || die "could not make the certificates (log: $d/openssl.log)"
}

write_node_config() {
  local i=$1 dir j voters=() rf min_isr listeners advertised protocols plain_users=
  dir=$(node_dir "$i")
  rf=$((nodes < 3 ? nodes : 3))
  min_isr=$((rf < 3 ? 1 : 2))
  for ((j = 1; j <= nodes; j++)); do voters+=("$j@127.0.0.1:$(controller_port "$j")"); done
  listeners="PLAINTEXT://127.0.0.1:$(broker_port "$i"),CONTROLLER://127.0.0.1:$(controller_port "$i")"
  advertised="PLAINTEXT://127.0.0.1:$(broker_port "$i")"
  protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  if [[ $sasl == 1 ]]; then
    listeners+=",SASL_PLAINTEXT://127.0.0.1:$(sasl_port "$i")"
    advertised+=",SASL_PLAINTEXT://127.0.0.1:$(sasl_port "$i")"
    protocols+=",SASL_PLAINTEXT:SASL_PLAINTEXT"
  fi
  if [[ $tls == 1 ]]; then
    local tls_listeners="TLS://127.0.0.1:$(tls_port "$i"),MTLS://127.0.0.1:$(mtls_port "$i"),SASL_SSL://127.0.0.1:$(sasl_ssl_port "$i"),OIDC://127.0.0.1:$(oidc_port "$i")"
    listeners+=",$tls_listeners"
    advertised+=",$tls_listeners"
    protocols+=",TLS:SSL,MTLS:SSL,SASL_SSL:SASL_SSL,OIDC:SASL_SSL"
  fi
  mkdir -p "$dir"
  cat >"$dir/server.properties" <<EOF
# Written by scripts/kafka.sh on every start; edits are lost.
process.roles=broker,controller
node.id=$i
# Static voters: the same recipe works for 1..N nodes and for 3.x and 4.x.
controller.quorum.voters=$(join_by_comma "${voters[@]}")
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$protocols
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data

auto.create.topics.enable=false
num.partitions=1
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr

# Light on a small test machine: fewer internal partitions, a small log-cleaner buffer.
offsets.topic.num.partitions=5
transaction.state.log.num.partitions=5
share.coordinator.state.topic.num.partitions=5
log.cleaner.dedupe.buffer.size=16777216
num.network.threads=2
num.io.threads=4
EOF
  if [[ $sasl == 1 ]]; then
    cat >>"$dir/server.properties" <<'EOF'

sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
EOF
    plain_users='user_admin="admin-secret" user_kafkainit="kafkainit-secret"'
    [[ $acl == 0 ]] || plain_users+=' user_limited="limited-secret" user_svc-a="svc-a-secret" user_svc-b="svc-b-secret"'
    cat >>"$dir/server.properties" <<EOF
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required $plain_users;
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
EOF
  fi
  if [[ $tls == 1 ]]; then
    cat >>"$dir/server.properties" <<EOF

# KAFKA_TLS=1. Clients are verified against the same CA the brokers' certificate comes from.
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls_dir/broker.p12
ssl.keystore.password=broker-store-secret
ssl.truststore.type=PEM
ssl.truststore.location=$tls_dir/ca.pem
listener.name.mtls.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^.*CN=([^,]+).*\$/\$1/,DEFAULT
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512,OAUTHBEARER
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required $plain_users;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin" unsecuredValidatorRequiredScope="kafka";
# The OIDC listener: tokens signed by the identity provider (scripts/kafka/oidc.py).
listener.name.oidc.sasl.enabled.mechanisms=OAUTHBEARER
listener.name.oidc.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;
listener.name.oidc.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler
sasl.oauthbearer.jwks.endpoint.url=$idp_url/jwks
sasl.oauthbearer.expected.audience=kafka
sasl.oauthbearer.expected.issuer=$idp_url
EOF
  fi
  if [[ $acl == 1 ]]; then
    cat >>"$dir/server.properties" <<'EOF'

# KAFKA_ACL=1. ANONYMOUS is every PLAINTEXT client: the controller and inter-broker listeners
# (the nodes themselves), the readiness probe, the PLAINTEXT tests. Only `limited`, `svc-a` and
# `svc-b` are restricted.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:admin;User:kafkainit
allow.everyone.if.no.acl.found=false
EOF
  fi
}

format_node() {
  local i=$1 dir args
  dir=$(node_dir "$i")
  [[ -f $dir/data/meta.properties ]] && return 0
  args=(format --ignore-formatted -t "$(recorded cluster_id)" -c "$dir/server.properties")
  if [[ $sasl == 1 ]]; then
    # SCRAM credentials live in the metadata log; format time is the only way in before start.
    args+=(--add-scram 'SCRAM-SHA-256=[name=kafkainit,password=kafkainit-secret]'
      --add-scram 'SCRAM-SHA-512=[name=kafkainit,password=kafkainit-secret]')
  fi
  kafka_java kafka.tools.StorageTool "${args[@]}" >>"$dir/kafka.log" 2>&1
}

# Prints the pid of node I if the pid file names a live java kafka.Kafka of this state dir.
node_pid() {
  local pid_file pid argv=()
  pid_file=$(node_dir "$1")/pid
  [[ -f $pid_file ]] || return 1
  read -r pid <"$pid_file" || return 1
  is_uint "$pid" || return 1
  mapfile -d '' -t argv 2>/dev/null <"/proc/$pid/cmdline" || return 1
  ((${#argv[@]} > 0)) && [[ ${argv[0]##*/} == java ]] || return 1
  [[ " ${argv[*]} " == *" kafka.Kafka $(node_dir "$1")/server.properties "* ]] || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports_free() {
  local i=$1 p ports
  ports=("$(broker_port "$i")" "$(controller_port "$i")")
  [[ $sasl == 0 ]] || ports+=("$(sasl_port "$i")")
  [[ $tls == 0 ]] || ports+=("$(tls_port "$i")" "$(mtls_port "$i")" "$(sasl_ssl_port "$i")" "$(oidc_port "$i")")
  for p in "${ports[@]}"; do
    ! port_in_use "$p" || die "port $p (node $i) is taken by another process; pick another KAFKA_PORT"
  done
}

launch_node() {
  local i=$1 dir
  dir=$(node_dir "$i")
  echo "--- $(date -Is) starting node $i (Kafka $version)" >>"$dir/kafka.log"
  # setsid: the broker must outlive the shell or test harness that started it; and it must not
  # inherit the state lock (fd 8).
  local tls_opts=()
  # Kafka 4 fetches a JWKS only from URLs this property allows.
  [[ $tls == 0 ]] || tls_opts=(-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls="$idp_url/jwks")
  setsid "$java" "${jvm_flags[@]}" "${heap_opts[@]}" -XX:+ExitOnOutOfMemoryError \
    "${tls_opts[@]}" "${extra_opts[@]}" -cp "$libs/*" kafka.Kafka "$dir/server.properties" >>"$dir/kafka.log" 2>&1 </dev/null 8>&- &
  echo $! >"$dir/pid"
}

# Starts the given nodes unless running, then waits until all of them are registered.
start_nodes() {
  local i pid formats=() started=() pids=()
  for i; do
    node_pid "$i" >/dev/null && continue
    check_ports_free "$i"
    started+=("$i")
  done
  for i in "${started[@]}"; do
    write_node_config "$i"
    format_node "$i" &
    formats+=("$!")
  done
  for pid in "${formats[@]}"; do
    wait "$pid" || { dump_logs "${started[@]}"; die "formatting the storage failed"; }
  done
  for i in "${started[@]}"; do launch_node "$i"; done
  # The pid files as written, unverified: a broker that already died must fail the wait at once.
  for i; do
    read -r pid <"$(node_dir "$i")/pid" && pids+=("$pid")
  done
  ((${#started[@]} == 0)) || say "started node(s) ${started[*]}; waiting up to ${start_timeout}s"
  if ! probe "$start_timeout" "$(join_by_comma "$@")" "$(join_by_comma "${pids[@]}")"; then
    dump_logs "${started[@]}"
    ((${#started[@]} == 0)) || stop_nodes "${started[@]}"
    die "Kafka did not become ready (logs: $state/node-*/kafka.log)"
  fi
}

probe() {
  local files=("$state/client.properties")
  [[ $sasl == 1 ]] && files+=("$state/client-sasl.properties")
  [[ $tls == 1 ]] && files+=("$state/client-tls.properties")
  "$java" "${jvm_flags[@]}" -Xmx128m -Dkafka.init.log.level=OFF -cp "$probe:$libs/*" \
    KafkaReady "$1" "$2" "${3:--}" "${files[@]}"
}

dump_logs() {
  local i
  for i; do
    echo "--- tail of $(node_dir "$i")/kafka.log" >&2
    tail -n 40 "$(node_dir "$i")/kafka.log" >&2 || true
  done
}

# A zombie counts as gone: nobody may reap it when the parent is not a real init.
alive() { grep -qs '^State:[[:space:]]*[^Z[:space:]]' "/proc/$1/status"; }

# SIGTERM (a clean controlled shutdown), then SIGKILL whatever is left at the deadline.
stop_nodes() {
  local i n pid pids=() deadline
  for i; do
    pid=$(node_pid "$i") || continue
    echo "--- $(date -Is) stopping node $i" >>"$(node_dir "$i")/kafka.log"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  deadline=$((SECONDS + stop_timeout))
  for pid in "${pids[@]}"; do
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  done
  for i; do
    if pid=$(node_pid "$i") && alive "$pid"; then
      say "node $i (pid $pid) did not stop within ${stop_timeout}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      n=0
      while alive "$pid" && ((n++ < 50)); do sleep 0.2; done
    fi
    rm -f "$(node_dir "$i")/pid"
  done
}

# --- the identity provider (KAFKA_TLS=1) ------------------------------------------------------

idp_pid() {
  local pid argv=()
  [[ -f $state/oidc.pid ]] || return 1
  read -r pid <"$state/oidc.pid" || return 1
  is_uint "$pid" || return 1
  mapfile -d '' -t argv 2>/dev/null <"/proc/$pid/cmdline" || return 1
  [[ " ${argv[*]} " == *" $here/kafka/oidc.py $idp_port "* ]] || return 1
  echo "$pid"
}

# The brokers fetch its JWKS when they start: it runs first.
start_idp() {
  [[ $tls == 1 ]] || return 0
  idp_pid >/dev/null && return 0
  command -v python3 >/dev/null || die "python3 not found: KAFKA_TLS=1 runs an identity provider with it"
  ! port_in_use "$idp_port" || die "port $idp_port (identity provider) is taken by another process; pick another KAFKA_PORT"
  setsid python3 "$here/kafka/oidc.py" "$idp_port" "$tls_dir/oidc.key" >>"$state/oidc.log" 2>&1 </dev/null 8>&- &
  echo $! >"$state/oidc.pid"
  local n=0
  until port_in_use "$idp_port"; do
    ((n++ < 100)) && alive "$!" || die "the identity provider did not start (log: $state/oidc.log)"
    sleep 0.1
  done
}

stop_idp() {
  local pid n=0
  pid=$(idp_pid) || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid" && ((n++ < 50)); do sleep 0.1; done
  rm -f "$state/oidc.pid"
}

# --- commands ---------------------------------------------------------------------------------

cmd_start() {
  fetch
  lock_state
  init_state
  start_idp
  start_nodes "${all_nodes[@]}"
  bootstrap
}

cmd_stop() {
  [[ -f $settings_file ]] || return 0
  lock_state
  stop_nodes "${all_nodes[@]}"
  stop_idp
}

cmd_start_node() {
  node_arg "${1:-}"
  [[ -f $settings_file ]] || die "no cluster in $state: run 'scripts/kafka.sh start' first"
  fetch
  lock_state
  init_state
  start_idp
  start_nodes "$1"
}

cmd_stop_node() {
  node_arg "${1:-}"
  [[ -f $settings_file ]] || return 0
  lock_state
  stop_nodes "$1"
}

cmd_status() {
  local i pid down=0 pids=()
  if [[ ! -f $settings_file ]]; then
    echo "no cluster in $state"
    return 1
  fi
  for i in "${all_nodes[@]}"; do
    if pid=$(node_pid "$i"); then
      pids+=("$pid")
      echo "node $i: running, pid $pid, 127.0.0.1:$(broker_port "$i")"
    else
      down=1
      echo "node $i: stopped"
    fi
  done
  ((down == 0)) || return 1
  fetch
  probe 10 "$(all_ids)" "$(join_by_comma "${pids[@]}")"
}

cmd_reset() {
  cmd_stop
  [[ -e $state ]] || return 0
  if [[ ! -f $settings_file && -n $(ls -A "$state") ]]; then
    die "refusing to delete $state: it was not made by this script"
  fi
  rm -rf "$state"
  say "deleted $state"
}

# Runs a Kafka CLI tool (the first of CLASSES the jars have) against this cluster, unless the
# caller names its own --bootstrap-server.
cmd_tool() {
  local classes class arg
  read -ra classes <<<"$1"
  shift
  fetch
  class=$(tool_class "${classes[@]}")
  for arg; do
    [[ $arg == --bootstrap-server* ]] && { kafka_java "$class" "$@"; return; }
  done
  kafka_java "$class" --bootstrap-server "$(bootstrap)" "$@"
}

# ClusterTool wants its subcommand before --bootstrap-server.
cmd_cluster() {
  local sub=${1:-} class
  [[ -n $sub ]] || die "usage: scripts/kafka.sh cluster SUBCOMMAND ARGS... (e.g. unregister --id 3)"
  shift
  fetch
  class=$(tool_class org.apache.kafka.tools.ClusterTool kafka.admin.ClusterTool)
  kafka_java "$class" "$sub" --bootstrap-server "$(bootstrap)" "$@"
}

main() {
  local cmd=${1:-help}
  (($# == 0)) || shift
  case $cmd in
    fetch) fetch ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    start-node) cmd_start_node "$@" ;;
    stop-node) cmd_stop_node "$@" ;;
    status) cmd_status ;;
    bootstrap) bootstrap ;;
    sasl-bootstrap)
      [[ $sasl == 1 ]] || die "the SASL listener is off: start with KAFKA_SASL=1"
      sasl_bootstrap
      ;;
    tls-bootstrap | mtls-bootstrap | sasl-ssl-bootstrap | tls-dir | oidc-bootstrap | oidc-token-url)
      [[ $tls == 1 ]] || die "the TLS listeners are off: start with KAFKA_TLS=1"
      case $cmd in
        tls-bootstrap) servers_of tls_port ;;
        mtls-bootstrap) servers_of mtls_port ;;
        sasl-ssl-bootstrap) servers_of sasl_ssl_port ;;
        tls-dir) echo "$tls_dir" ;;
        oidc-bootstrap) servers_of oidc_port ;;
        oidc-token-url) echo "$idp_url/token" ;;
      esac
      ;;
    reset) cmd_reset ;;
    topics) cmd_tool "org.apache.kafka.tools.TopicCommand kafka.admin.TopicCommand" "$@" ;;
    configs) cmd_tool "org.apache.kafka.tools.ConfigCommand kafka.admin.ConfigCommand" "$@" ;;
    acls) cmd_tool "org.apache.kafka.tools.AclCommand kafka.admin.AclCommand" "$@" ;;
    cluster) cmd_cluster "$@" ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

# Bash reads a script as it runs it: with main and exit on the last line, editing this file
# while a call waits for a broker cannot break that call.
main "$@"; exit
