package io.continuum.e2e.bench;

import io.continuum.testing.LocalStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The machine's floor, measured in the same run as a benchmark so its figure can be read against it: one PostgreSQL
 * commit of a small row (autocommit insert into {@code continuum_e2e_test}) and one Kafka produce→consume of a
 * 200-byte record with {@code acks=all} (topic {@code bench.floor}, one partition). Every propagation path of the suite
 * does at least one of each, so no benchmark can beat their sum. Use: {@code MachineFloor.measure(200).print()}.
 */
public record MachineFloor(long[] pgCommitNanos, long[] kafkaRoundTripNanos) {

    static final String DB_URL = System.getProperty("bench.floor.jdbc", "jdbc:postgresql://127.0.0.1:5432/continuum_e2e_test");

    public static MachineFloor measure(int samples) throws Exception {
        return new MachineFloor(postgres(samples), kafka(samples));
    }

    public void print() {
        long[] pg = pgCommitNanos.clone();
        long[] kafka = kafkaRoundTripNanos.clone();
        Arrays.sort(pg);
        Arrays.sort(kafka);
        System.out.printf("FLOOR PostgreSQL commit p50=%.2f ms p99=%.2f ms | Kafka produce→consume (acks=all, 200 B) p50=%.2f ms p99=%.2f ms | sum p50=%.2f ms%n",
                ms(pct(pg, 50)), ms(pct(pg, 99)), ms(pct(kafka, 50)), ms(pct(kafka, 99)), ms(pct(pg, 50) + pct(kafka, 50)));
    }

    static long[] postgres(int samples) throws Exception {
        long[] out = new long[samples];
        try (Connection c = DriverManager.getConnection(DB_URL, "continuum", "continuum")) {
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists bench_floor (id bigserial primary key, body text not null)");
            }
            try (PreparedStatement insert = c.prepareStatement("insert into bench_floor (body) values (?)")) {
                for (int i = -20; i < samples; i++) {
                    long t0 = System.nanoTime();
                    insert.setString(1, "floor-" + i);
                    insert.executeUpdate(); // autocommit: one commit (WAL flush) per row
                    if (i >= 0) {
                        out[i] = System.nanoTime() - t0;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("truncate bench_floor");
            }
        }
        return out;
    }

    static long[] kafka(int samples) throws Exception {
        String topic = "bench.floor";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", LocalStack.KAFKA_BOOTSTRAP))) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP);
        cp.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-floor-" + UUID.randomUUID());
        long[] out = new long[samples];
        byte[] value = new byte[200];
        try (var producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
             var consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition p = new TopicPartition(topic, 0);
            consumer.assign(List.of(p));
            consumer.seekToEnd(List.of(p));
            consumer.position(p);
            for (int i = -20; i < samples; i++) {
                long t0 = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, value)).get();
                boolean got = false;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!got && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(50))) {
                        got = true;
                    }
                }
                if (!got) {
                    throw new AssertionError("the floor record was not consumed within 10 s");
                }
                if (i >= 0) {
                    out[i] = System.nanoTime() - t0;
                }
            }
        }
        return out;
    }

    static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
