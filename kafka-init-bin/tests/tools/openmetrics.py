#!/usr/bin/env python3
"""Parses an OpenMetrics scrape from stdin with the Prometheus project's own
parser (prometheus_client) and prints every sample as JSON: the independent
check that kafka-init's /metrics is well-formed."""

import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.append(
            {
                "family": family.name,
                "type": family.type,
                "name": sample.name,
                "labels": sample.labels,
                "value": sample.value,
            }
        )
json.dump(samples, sys.stdout)
