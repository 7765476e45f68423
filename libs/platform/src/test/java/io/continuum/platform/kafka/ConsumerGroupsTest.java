package io.continuum.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continuum.testing.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A partition that changes owner before anything was consumed from it resumes where its first owner started: the
 * record published while nobody read it is not skipped by the next owner's "latest" reset. Real Kafka (the local
 * stack's broker), a topic and a group of its own.
 */
class ConsumerGroupsTest {

    @Test
    void aPartitionHandedOverBeforeItsFirstCommitLosesNothing() throws Exception {
        String topic = "platform-groups-test-" + UUID.randomUUID();
        String group = topic;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaConsumer<String, String> first = member(group)) {
            first.subscribe(List.of(topic), ConsumerGroups.startListener(first, p -> { }));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                first.poll(Duration.ofMillis(100));
                return !first.assignment().isEmpty();
            });
        } // leaves the group without having consumed (or committed) a record of its own

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "account-1", "published while nobody read")).get();
        }

        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, String> second = member(group)) {
            second.subscribe(List.of(topic), ConsumerGroups.startListener(second, p -> { }));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                second.poll(Duration.ofMillis(100)).forEach(r -> read.add(r.value()));
                return !read.isEmpty();
            });
        }
        assertThat(read).containsExactly("published while nobody read");
    }

    private static KafkaConsumer<String, String> member(String group) {
        Properties p = ConsumerGroups.applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }
}
