#!/bin/bash
exec /opt/kafka/bin/kafka-tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
