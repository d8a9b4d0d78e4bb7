#!/usr/bin/env python3
"""The reference design's Python init service, written from its documentation
(shared/REFERENCE-DESIGN.md: "Main Flow", "Kafka Connection Retry", "Topic Creation").

kafka-python; wait for Kafka with 30 tries x 2 s; then, for each topic in file order,
`list_topics()` and `create_topics([one])` if it is missing. Exit 0 on success, 1 on failure.
The configuration is the same YAML file kafka-init reads (CONFIG_FILE); KAFKA_BOOTSTRAP_SERVERS
overrides its `kafka.bootstrap_servers`, as for kafka-init.
"""

import logging
import os
import sys
import time

import yaml
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError

logging.basicConfig(level=logging.INFO, format="%(levelname)s - %(message)s")
logger = logging.getLogger("kafka_init")


def load_config_from_env():
    path = os.environ.get("CONFIG_FILE", "/app/config/simulation.yaml")
    logger.info(f"Loading configuration from {path}")
    with open(path) as f:
        config = yaml.safe_load(f)
    kafka = config["kafka"]
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or kafka["bootstrap_servers"]
    return bootstrap, kafka["topics"]


def wait_for_kafka(bootstrap_servers, max_retries=30, retry_delay=2):
    """Wait for Kafka broker to be ready."""
    logger.info(f"Connecting to Kafka at {bootstrap_servers}")
    for attempt in range(max_retries):
        try:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="kafka-init")
            admin.list_topics()  # Test connection
            return admin
        except KafkaError:
            if attempt < max_retries - 1:
                time.sleep(retry_delay)
            else:
                raise


def create_topic_if_not_exists(admin, topic_config):
    """Create topic with specified configuration."""
    topic_name = topic_config["name"]

    # Check if topic already exists
    existing_topics = admin.list_topics()
    if topic_name in existing_topics:
        logger.info(f"Topic {topic_name} already exists")
        return

    new_topic = NewTopic(
        name=topic_name,
        num_partitions=topic_config.get("partitions", 1),
        replication_factor=topic_config.get("replication_factor", 1),
        topic_configs={k: str(v) for k, v in (topic_config.get("config") or {}).items()},
    )
    admin.create_topics([new_topic])
    logger.info(f"✅ Created topic: {topic_name}")


def main():
    bootstrap, topics = load_config_from_env()
    admin = wait_for_kafka(bootstrap)
    try:
        for _key, topic_config in topics.items():
            create_topic_if_not_exists(admin, topic_config)
    except Exception as e:  # the design: fail fast, exit 1
        logger.error(f"Failed to create topic: {e!r}")
        logger.error("Topic creation failed")
        sys.exit(1)
    logger.info("All topics created successfully")
    sys.exit(0)


if __name__ == "__main__":
    main()
