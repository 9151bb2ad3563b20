"""Apache Kafka, one KRaft node (broker and controller), from Maven Central jars.

Kafka 4.x logs through SLF4J 1.7 (`slf4j-api` 1.7.36) to Log4j 2, so the binding is
`log4j-slf4j-impl` (the SLF4J 1.x one); `log4j-slf4j2-impl` is for SLF4J 2 and leaves
1.7 printing "Failed to load class org.slf4j.impl.StaticLoggerBinder" and logging nothing.
"""

from __future__ import annotations

import asyncio
import base64
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pos.infra.config import HOST, InfraConfig
from pos.infra.errors import InfraError
from pos.infra.process import file_lock, spawn
from pos.infra.service import Service, port_open

VERSION = "4.1.1"
LOG4J_VERSION = "2.24.3"

POM = f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>pos.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>{VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>{LOG4J_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>{LOG4J_VERSION}</version>
    </dependency>
  </dependencies>
</project>
"""

# Log4j 2 properties format (built into log4j-core; the YAML format Kafka ships needs
# Jackson YAML on the classpath). The server log goes to server.log, rolled at 20 MB;
# the process's own stdout/stderr (JVM errors) go to kafka.log.
LOG4J2 = """status = warn
name = pos-kafka
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = {log_dir}/server.log
appender.file.filePattern = {log_dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = info
logger.apache.name = org.apache.kafka
logger.apache.level = info
"""


def libs_dir(config: InfraConfig) -> Path:
    """The folder of Kafka's jars in the cache."""
    return config.cache_dir / f"kafka-{VERSION}" / "libs"


def server_properties(config: InfraConfig, log_dirs: Path) -> str:
    """A single-node KRaft config on loopback, tuned for tests (RF 1, no rebalance delay)."""
    broker, controller = config.kafka_port, config.kafka_controller_port
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.bootstrap.servers={HOST}:{controller}",
            f"listeners=PLAINTEXT://{HOST}:{broker},CONTROLLER://{HOST}:{controller}",
            f"advertised.listeners=PLAINTEXT://{HOST}:{broker}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            f"log.dirs={log_dirs}",
            "num.partitions=3",
            "default.replication.factor=1",
            "min.insync.replicas=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=3",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=3",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "delete.topic.enable=true",
            "log.retention.hours=168",
            "",
        ]
    )


def _cluster_id() -> str:
    """A Kafka cluster id: a random UUID in URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


class Kafka(Service):
    """A single KRaft node on the JVM."""

    name = "kafka"

    def port(self, config: InfraConfig) -> int:
        return config.kafka_port

    def install(self, config: InfraConfig) -> None:
        libs = libs_dir(config)
        marker = libs / ".complete"
        if marker.exists():
            return
        for tool in ("java", "mvn"):
            if shutil.which(tool) is None:
                raise InfraError(
                    f"Kafka needs `{tool}` (Java 17+ and Maven): install it and retry."
                )
        with file_lock(config.cache_dir / "kafka.lock"):
            if marker.exists():
                return
            home = libs.parent
            home.mkdir(parents=True, exist_ok=True)
            (home / "pom.xml").write_text(POM)
            shutil.rmtree(libs, ignore_errors=True)
            argv = [
                "mvn",
                "-q",
                "-B",
                "dependency:copy-dependencies",
                f"-DoutputDirectory={libs}",
                f"-Dmaven.repo.local={home / 'm2'}",
                "-DincludeScope=runtime",
            ]
            done = subprocess.run(argv, cwd=home, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise InfraError(
                    "Fetching Kafka jars from Maven Central failed "
                    f"(`{' '.join(argv)}` in {home}, exit {done.returncode}):\n"
                    f"{(done.stdout + done.stderr)[-3000:]}"
                )
            marker.write_text(VERSION)
            shutil.rmtree(home / "m2", ignore_errors=True)  # the jars are copied into libs

    def launch(self, config: InfraConfig) -> int:
        home = config.service_dir(self.name)
        data = home / "data"
        home.mkdir(parents=True, exist_ok=True)
        props = home / "server.properties"
        props.write_text(server_properties(config, data))
        (home / "log4j2.properties").write_text(LOG4J2.format(log_dir=home))
        classpath = f"{libs_dir(config)}/*"
        formatted_for = home / "formatted-controller-port"
        if not (data / "meta.properties").exists():
            fmt = [
                "java",
                "-cp",
                classpath,
                f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}",
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                # one id in 64 starts with '-': as a separate argument it reads as an option
                f"--cluster-id={_cluster_id()}",
                "-c",
                str(props),
            ]
            done = subprocess.run(fmt, cwd=home, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise InfraError(
                    f"Formatting Kafka storage in {data} failed:\n{done.stdout}{done.stderr}"
                )
            formatted_for.write_text(str(config.kafka_controller_port))
        elif formatted_for.read_text().strip() != str(config.kafka_controller_port):
            raise InfraError(
                f"Kafka storage in {data} was formatted for controller port "
                f"{formatted_for.read_text().strip()}, not {config.kafka_controller_port}: "
                f"use that port (POS_KAFKA_CONTROLLER_PORT) or delete {home}."
            )
        argv = [
            "java",
            "-Xms256m",
            "-Xmx512m",
            "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={home}",
            f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}",
            "-cp",
            classpath,
            "kafka.Kafka",
            str(props),
        ]
        return spawn(
            argv, pid_file=config.pid_file(self.name), log_file=config.log_file(self.name), cwd=home
        )

    def log_files(self, config: InfraConfig) -> list[Path]:
        return [config.log_file(self.name), config.service_dir(self.name) / "server.log"]

    def healthy(self, config: InfraConfig) -> bool:
        if not port_open(config.kafka_port):
            return False
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, _metadata_ok(config.kafka_bootstrap)).result()


async def _metadata_ok(bootstrap: str) -> bool:
    """A real metadata round trip: the broker lists itself and has an active controller."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=3000, connections_max_idle_ms=5000
    )
    try:
        await asyncio.wait_for(admin.start(), 5)
        cluster = await asyncio.wait_for(admin.describe_cluster(), 5)
        return bool(cluster.get("brokers")) and cluster.get("controller_id", -1) != -1
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await admin.close()
