package io.continuum.notification.messaging;

import io.continuum.notification.config.NotificationConfig;
import io.continuum.notification.config.ReplicaId;
import io.continuum.notification.domain.DeliveryClass;
import io.continuum.notification.domain.Frame;
import io.continuum.notification.live.ConnectionRegistry;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publishing a fan-out message never blocks the caller (an event loop), even while the broker is unreachable.
 * Real Kafka producer, pointed at a local port where nothing listens (a broker that is down); the configuration is a
 * proxy returning the defaults.
 */
class FanoutBusTest {

    @SuppressWarnings("unchecked")
    private static <T> T config(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> switch (m.getName()) {
            case "replicaId" -> Optional.empty();
            case "fanout" -> config(NotificationConfig.Fanout.class);
            case "enabled" -> true;
            case "topic" -> "notification.stream";
            default -> throw new UnsupportedOperationException(m.getName());
        });
    }

    @Test
    void publishingWhileTheBrokerIsDownReturnsAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        NotificationConfig config = config(NotificationConfig.class);
        FanoutBus bus = new FanoutBus(config, new ReplicaId(config), new ConnectionRegistry(),
                io.continuum.platform.kafka.KafkaClientSettings.plaintext("127.0.0.1:" + port),
                "postgresql://127.0.0.1:5432/test", new io.continuum.platform.tracing.Traces(io.opentelemetry.api.OpenTelemetry.noop(), true));
        bus.start(null);
        try {
            Frame f = new Frame("acc", 1, "e1", "ev-1", "continuum.test.v1", DeliveryClass.ORDERED, null, null, null,
                    Instant.EPOCH, "{}");
            io.continuum.notification.domain.Json.write(FanoutBus.Message.frame(f)); // class loading and Jackson warm-up
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                bus.publish(f);
                bus.publishControl("acc", "{\"type\":\"presence\"}", "presence", null);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).isLessThan(Duration.ofMillis(200)); // before: every send blocked for max.block.ms (2 s)
        } finally {
            bus.stop(null);
        }
    }
}
