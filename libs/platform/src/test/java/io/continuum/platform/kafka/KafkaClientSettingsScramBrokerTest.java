package io.continuum.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuum.testing.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real broker that authenticates (a private KRaft broker of libs/testing with a SASL_PLAINTEXT listener
 * and SCRAM-SHA-512, the mechanism of the chart's default Strimzi listener, without its TLS): the settings of
 * {@link KafkaClientSettings}, given as the chart gives them, let a producer and a consumer through; a wrong password
 * and the plaintext default do not get in. Nothing is faked.
 */
class KafkaClientSettingsScramBrokerTest {

    static final String USER = "continuum-session-service";
    static final String PASSWORD = "scram-pa$$word-" + UUID.randomUUID();
    static KafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.startNewWithScram(USER, PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.stop();
        }
    }

    static KafkaClientSettings scram(String password) {
        return KafkaClientSettingsTest.fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.scramBootstrapServers(),
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + USER + "\" password=\"" + password + "\";"));
    }

    static KafkaProducer<String, String> producer(KafkaClientSettings kafka) {
        Properties p = kafka.applyTo(new Properties());
        p.put("acks", "all");
        p.put("max.block.ms", 10_000);
        p.put("delivery.timeout.ms", 15_000);
        p.put("request.timeout.ms", 10_000);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    @Test
    void theChartsScramSettingsProduceAndConsume() throws Exception {
        String topic = "scram-" + UUID.randomUUID();
        KafkaClientSettings kafka = scram(PASSWORD);
        try (KafkaProducer<String, String> producer = producer(kafka)) {
            producer.send(new ProducerRecord<>(topic, "acc-1", "hello over SCRAM")).get();
        }
        Properties c = kafka.applyTo(new Properties());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            List<String> values = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                if (consumer.assignment().isEmpty()) {
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                assertThat(values).containsExactly("hello over SCRAM");
            });
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheBroker() {
        try (KafkaProducer<String, String> producer = producer(scram("not-the-password"))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("scram-refused", "k", "v")).get())
                    .hasStackTraceContaining("Authentication failed");
        }
    }

    @Test
    void thePlaintextDefaultDoesNotGetThroughTheScramListener() {
        KafkaClientSettings plaintext = KafkaClientSettings.plaintext(broker.scramBootstrapServers());
        Properties p = plaintext.applyTo(new Properties());
        p.put("max.block.ms", 3_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("scram-plain", "k", "v")).get())
                    .hasStackTraceContaining("TimeoutException");
        }
    }
}
