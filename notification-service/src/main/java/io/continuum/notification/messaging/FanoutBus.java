package io.continuum.notification.messaging;

import io.continuum.notification.config.NotificationConfig;
import io.continuum.notification.config.ReplicaId;
import io.continuum.notification.domain.Frame;
import io.continuum.notification.domain.Json;
import io.continuum.notification.live.ConnectionRegistry;
import io.continuum.platform.kafka.ConsumerLoop;
import io.continuum.platform.kafka.KafkaClientSettings;
import io.continuum.platform.tracing.Traces;
import io.opentelemetry.api.trace.Span;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Replica-to-replica fan-out over the internal topic {@code notification.stream}: whatever one replica stores in an
 * account stream (or a presence change it sees) is also published there, keyed by account; every replica reads every
 * partition of it (manual assignment, no consumer group: a broadcast) and hands the frames to the sockets it holds,
 * skipping its own messages. Frames are already durable in PostgreSQL, so this hop is fire-and-forget: a lost
 * message shows up as a gap at the next frame, and the socket fetches it from history.
 */
@ApplicationScoped
public class FanoutBus {

    private static final Logger LOG = Logger.getLogger(FanoutBus.class);
    private static final String REPLICA_HEADER = "replica";
    /**
     * The deployment a message belongs to: the stream database. Replicas of another deployment sharing the broker
     * (a test run next to the local stack, a second environment) have other streams and must ignore it.
     */
    private static final String SCOPE_HEADER = "scope";

    /** What travels on the fan-out topic. */
    public record Message(String kind, Frame frame, String accountId, String text, String coalesceKey, String exceptDevice) {
        public static Message frame(Frame f) {
            return new Message("frame", f, f.accountId(), null, null, null);
        }

        static Message control(String accountId, String text, String coalesceKey, String exceptDevice) {
            return new Message("control", null, accountId, text, coalesceKey, exceptDevice);
        }
    }

    private final NotificationConfig config;
    private final ReplicaId replica;
    private final ConnectionRegistry registry;
    private final KafkaClientSettings kafka;
    private final Traces traces;
    private final byte[] scope;
    private KafkaProducer<String, String> producer;
    /** The one thread that calls the producer (see {@link #send}). */
    private volatile ExecutorService sender;
    private final AtomicLong dropped = new AtomicLong();
    private static final int HANDOFF_QUEUE = 10_000;
    private ConsumerLoop<String, String> loop;
    private final CountDownLatch assigned = new CountDownLatch(1);

    public FanoutBus(NotificationConfig config, ReplicaId replica, ConnectionRegistry registry,
            KafkaClientSettings kafka,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String streamDatabase, Traces traces) {
        this.traces = traces;
        this.scope = streamDatabase.getBytes(StandardCharsets.UTF_8);
        this.config = config;
        this.replica = replica;
        this.registry = registry;
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent event) {
        if (!config.fanout().enabled()) {
            return;
        }
        Properties p = kafka.applyTo(new Properties());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "notification-fanout-" + replica.get());
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(HANDOFF_QUEUE), r -> {
            Thread t = new Thread(r, "fanout-producer");
            t.setDaemon(true);
            return t;
        });
        // fetch the topic's metadata early (on the producer thread, never blocking start-up or an event loop)
        sender.execute(() -> {
            try {
                producer.partitionsFor(config.fanout().topic());
            } catch (RuntimeException e) {
                LOG.warnf("fan-out topic %s has no metadata yet: %s", config.fanout().topic(), e.getMessage());
            }
        });

        Properties c = kafka.applyTo(new Properties());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "notification-fanout-reader-" + replica.get());
        loop = ConsumerLoop.start("fanout-consumer",
                () -> new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer()), this::follow);
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(3));
        }
        ExecutorService out = sender;
        sender = null;
        if (out != null) {
            out.shutdown();
            try {
                out.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
    }

    /** Waits until this replica reads the fan-out topic (tests, readiness). */
    public boolean awaitAssigned(Duration timeout) throws InterruptedException {
        return !config.fanout().enabled() || assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void publish(Frame frame) {
        send(frame.accountId(), Message.frame(frame));
    }

    public void publishControl(String accountId, String text, String coalesceKey, String exceptDevice) {
        send(accountId, Message.control(accountId, text, coalesceKey, exceptDevice));
    }

    /**
     * Hands the message to the producer thread and returns at once: {@code KafkaProducer.send} blocks its caller for
     * up to {@code max.block.ms} while the broker is unreachable (metadata) or the buffer is full, and callers are
     * event loops. When the hand-off queue is full the message is dropped (counted, logged): it is a fan-out of an
     * already stored frame, so the other replicas see a gap at the next frame and read history.
     */
    private void send(String key, Message message) {
        ExecutorService out = sender;
        if (producer == null || out == null) {
            return;
        }
        ProducerRecord<String, String> record = new ProducerRecord<>(config.fanout().topic(), key, Json.write(message));
        record.headers().add(REPLICA_HEADER, replica.get().getBytes(StandardCharsets.UTF_8));
        record.headers().add(SCOPE_HEADER, scope);
        traces.injectCurrent(record.headers()); // the frame push this fan-out belongs to, if traced
        try {
            out.execute(() -> {
                try {
                    producer.send(record, (md, e) -> {
                        if (e != null) {
                            LOG.warnf("fan-out publish failed (%s): other replicas see a gap and read history", e.getMessage());
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.warnf("fan-out publish failed (%s): other replicas see a gap and read history", e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            dropped.incrementAndGet();
            LOG.warnf("fan-out hand-off queue full (%d dropped so far): other replicas read history", dropped.get());
        }
    }

    /** Messages dropped because the producer could not keep up (the broker was unreachable). */
    public long dropped() {
        return dropped.get();
    }

    private void follow(Consumer<String, String> consumer, ConsumerLoop<String, String> control) {
        List<TopicPartition> partitions = List.of();
        while (control.running() && partitions.isEmpty()) {
            try {
                partitions = consumer.partitionsFor(config.fanout().topic(), Duration.ofSeconds(5)).stream()
                        .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.warnf("fan-out topic %s not readable yet: %s", config.fanout().topic(), e.getMessage());
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        assigned.countDown();
        LOG.infof("fan-out: replica %s reads %d partitions of %s", replica.get(), partitions.size(), config.fanout().topic());
        while (control.running()) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                Header s = r.headers().lastHeader(SCOPE_HEADER);
                if (s == null || !java.util.Arrays.equals(scope, s.value())) {
                    continue; // another deployment's streams
                }
                Header h = r.headers().lastHeader(REPLICA_HEADER);
                if (h != null && replica.get().equals(new String(h.value(), StandardCharsets.UTF_8))) {
                    continue; // this replica delivered it already
                }
                Span consumed = traces.startConsumer(r.topic() + " consume", r.headers());
                Span push = traces.startChild("frame push", consumed);
                try {
                    dispatch(Json.MAPPER.readValue(r.value(), Message.class));
                } catch (Exception e) {
                    LOG.warnf("unreadable fan-out message at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
                } finally {
                    push.end();
                    consumed.end();
                }
            }
        }
    }

    private void dispatch(Message m) {
        if ("frame".equals(m.kind()) && m.frame() != null) {
            registry.deliver(m.frame());
        } else if ("control".equals(m.kind()) && m.accountId() != null) {
            registry.control(m.accountId(), m.text(), m.coalesceKey(),
                    c -> m.exceptDevice() != null && m.exceptDevice().equals(c.deviceId()));
        }
    }
}
