package io.continuum.e2e.bench;

import io.continuum.e2e.notifications.Percentiles;
import io.continuum.testing.LocalStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The machine's floor for a propagated write, measured in the benchmark's own run: one PostgreSQL commit of a small
 * row (autocommit insert into a scratch table of the e2e test database) plus one Kafka produce→consume of a 200-byte
 * record with {@code acks=all} (a throw-away topic, deleted after). Any device-to-device path needs at least both.
 */
public final class Floor {

    /** Medians and the sum, in nanoseconds. */
    public record Figures(Percentiles commit, Percentiles kafka) {
        public double p50Ms() {
            return commit.ms(50) + kafka.ms(50);
        }

        public String summary() {
            return String.format("floor p50 %.2f ms = PostgreSQL commit %s + Kafka produce->consume (acks=all, 200 B) %s",
                    p50Ms(), commit.summary(), kafka.summary());
        }
    }

    private Floor() {
    }

    /** The {@code p}-th percentile of sorted nanoseconds (nearest rank), for benchmarks that keep raw samples. */
    public static long pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
    }

    public static double ms(long nanos) {
        return nanos / 1e6;
    }

    /**
     * Waits until the machine is quiet: the share of busy CPU time (all cores, from {@code /proc/stat}) over one poll
     * interval of 500 ms is at most {@code maxBusy}. For a benchmark's setup work (sign-ins, token refreshes, their
     * asynchronous tails in Keycloak and the services) to be over before the floor and the measured phase, instead of
     * sleeping a fixed time and hoping. Fails after {@code atMost} with the last share seen.
     */
    public static void awaitQuiet(double maxBusy, Duration atMost) {
        long[] last = cpuTicks();
        double[] busy = {1};
        try {
            org.awaitility.Awaitility.await().atMost(atMost).pollDelay(Duration.ofMillis(500)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        long[] now = cpuTicks();
                        long total = now[0] - last[0];
                        busy[0] = total == 0 ? 1 : (double) (now[1] - last[1]) / total;
                        System.arraycopy(now, 0, last, 0, 2);
                        return busy[0] <= maxBusy;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException(String.format("the machine did not become quiet within %s: CPU %.0f %% busy"
                    + " (at most %.0f %% wanted)", atMost, busy[0] * 100, maxBusy * 100), e);
        }
    }

    /** {total, busy} jiffies of all CPUs ({@code /proc/stat}'s first line; idle and iowait are not busy). */
    private static long[] cpuTicks() {
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total, total - idle};
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static Figures measure(int samples) throws Exception {
        return new Figures(commit(samples), kafka(samples));
    }

    static Percentiles commit(int samples) throws Exception {
        long[] t = new long[samples];
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/continuum_e2e_test", "continuum", "continuum")) {
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists bench_floor (id bigserial primary key, v varchar(64))");
            }
            try (PreparedStatement p = c.prepareStatement("insert into bench_floor (v) values (?)")) {
                for (int i = 0; i < samples; i++) {
                    long start = System.nanoTime();
                    p.setString(1, "floor-" + i);
                    p.executeUpdate();
                    t[i] = System.nanoTime() - start;
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("drop table bench_floor");
            }
        }
        return new Percentiles(t);
    }

    static Percentiles kafka(int samples) throws Exception {
        String topic = "bench-floor-" + UUID.randomUUID();
        Map<String, Object> common = Map.of("bootstrap.servers", LocalStack.KAFKA_BOOTSTRAP);
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            Properties pp = new Properties();
            pp.putAll(common);
            pp.put("acks", "all");
            pp.put("linger.ms", "0");
            Properties cp = new Properties();
            cp.putAll(common);
            cp.put("fetch.max.wait.ms", "1");
            cp.put("fetch.min.bytes", "1");
            long[] t = new long[samples];
            byte[] payload = new byte[200];
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
                 KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(List.of(tp));
                consumer.seekToEnd(List.of(tp));
                consumer.position(tp);
                producer.send(new ProducerRecord<>(topic, payload)).get(); // warm-up: metadata, connections
                while (consumer.poll(Duration.ofMillis(100)).isEmpty()) {
                    // wait for the warm-up record
                }
                for (int i = 0; i < samples; i++) {
                    long start = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, payload));
                    ConsumerRecords<byte[], byte[]> got;
                    do {
                        got = consumer.poll(Duration.ofMillis(100));
                    } while (got.isEmpty());
                    t[i] = System.nanoTime() - start;
                }
            } finally {
                admin.deleteTopics(List.of(topic)).all().get();
            }
            return new Percentiles(t);
        }
    }
}
