"""Transports: Kafka for the services mode, an in-process log for the embedded mode.

Only the in-process transport is re-exported here, so the embedded mode does not import
aiokafka; import `eventbus.transports.kafka.KafkaTransport` where Kafka is wanted.
"""

from eventbus.transports.decode import decode_message
from eventbus.transports.inprocess import InProcessConsumer, InProcessTransport

__all__ = ["InProcessConsumer", "InProcessTransport", "decode_message"]
