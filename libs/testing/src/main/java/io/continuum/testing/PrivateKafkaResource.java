package io.continuum.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * For tests that stop and restart Kafka: the application under test talks to a private {@link KafkaBroker}
 * (started once per test JVM) instead of the shared local broker, which other suites keep using.
 */
public class PrivateKafkaResource implements QuarkusTestResourceLifecycleManager {

    private static KafkaBroker broker;

    public static synchronized KafkaBroker broker() {
        if (broker == null) {
            broker = KafkaBroker.startNew();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
        }
        return broker;
    }

    @Override
    public Map<String, String> start() {
        LocalStack.ensureInfra();
        return Map.of("kafka.bootstrap.servers", broker().bootstrapServers());
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.stop();
            broker = null;
        }
    }
}
