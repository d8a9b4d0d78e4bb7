#!/usr/bin/env bash
# What init scripts do with Apache Kafka's own CLI: one `kafka-topics --create --if-not-exists`
# per topic, in a loop. Runs org.apache.kafka.tools.TopicCommand from the broker's jars with the
# JVM options kafka-run-class.sh gives kafka-topics.sh by default.
#
# usage: kafka_topics_loop.sh LIBS_DIR BOOTSTRAP LIST_FILE
#   LIST_FILE: one topic a line, tab-separated: name, partitions, replication factor, key=value...
set -euo pipefail
libs=$1 bootstrap=$2 list=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log4j=$here/../scripts/kafka/log4j2.properties
jvm=(-Xmx256M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true -Dlog4j2.configurationFile="$log4j")

while IFS=$'\t' read -r -a fields; do
  ((${#fields[@]} >= 3)) || continue
  args=(--create --if-not-exists --topic "${fields[0]}" --partitions "${fields[1]}"
    --replication-factor "${fields[2]}")
  for kv in "${fields[@]:3}"; do args+=(--config "$kv"); done
  java "${jvm[@]}" -cp "$libs/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$bootstrap" "${args[@]}"
done <"$list"
