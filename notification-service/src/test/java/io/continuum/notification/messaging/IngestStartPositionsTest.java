package io.continuum.notification.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continuum.notification.config.NotificationConfig;
import io.continuum.testing.LocalStack;
import io.continuum.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Every partition the ingest is given has a committed offset at once, before any event arrived on it: when the
 * replica holding it dies (or Kafka restarts and the group rebalances) the next owner resumes there. Without it the
 * next owner reset to "latest" and skipped what was published meanwhile (the Kafka outage drill lost state events
 * after a replica kill). Real Kafka; the group's offsets are read with the admin client.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class IngestStartPositionsTest {

    @Inject
    Ingest ingest;
    @Inject
    NotificationConfig config;

    @Test
    void everyAssignedPartitionHasACommittedStartPosition() throws Exception {
        assertThat(ingest.awaitAssigned(Duration.ofSeconds(30))).isTrue();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP))) {
            Set<TopicPartition> partitions = admin.describeTopics(config.ingest().topics()).allTopicNames().get().values().stream()
                    .flatMap(t -> t.partitions().stream().map(p -> new TopicPartition(t.name(), p.partition())))
                    .collect(Collectors.toSet());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin
                    .listConsumerGroupOffsets(config.ingest().group()).partitionsToOffsetAndMetadata().get().keySet())
                    .containsAll(partitions));
        }
    }
}
