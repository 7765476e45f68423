package io.continuum.platform.kafka;

import io.smallrye.config.Expressions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * What every Kafka client of a service needs to reach the cluster: the bootstrap servers and the security settings.
 * Every {@code KafkaProducer}, {@code KafkaConsumer} and {@code Admin} a service builds takes them from here
 * ({@link #applyTo}), so a cluster that authenticates its clients (Strimzi's SCRAM-SHA-512 or mutual TLS listener,
 * wired by the Helm chart) is reached by all of them or by none, never by the outbox relay but not the consumers.
 *
 * <p>Read from MicroProfile Config, so from {@code application.properties} or the environment
 * ({@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_JAAS_CONFIG}, ...): {@code kafka.bootstrap.servers} and the
 * keys of {@link #SECURITY_KEYS} under {@code kafka.}. Nothing set = PLAINTEXT, the local stack's broker. The values
 * are taken literally (no {@code ${...}} expansion): a JAAS config or password may contain a {@code $}.
 *
 * <p>Consumers keep Kafka's {@code fetch.max.wait.ms} (500 ms). With {@code fetch.min.bytes=1} the broker answers a
 * fetch as soon as a record arrives, so a lower value adds no speed, only idle fetches: at 100 ms the suite's ten idle
 * consumers kept the broker ~8 % of a core busy at rest (docs/benchmarks.md).
 */
@Singleton
public class KafkaClientSettings {

    private static final Logger LOG = Logger.getLogger(KafkaClientSettings.class);

    /** The Kafka client settings (without the {@code kafka.} prefix) copied into every client. */
    public static final List<String> SECURITY_KEYS = List.of(
            "security.protocol",
            "sasl.mechanism",
            "sasl.jaas.config",
            "ssl.truststore.type",
            "ssl.truststore.location",
            "ssl.truststore.password",
            "ssl.truststore.certificates",
            "ssl.keystore.type",
            "ssl.keystore.location",
            "ssl.keystore.password",
            "ssl.keystore.key",
            "ssl.keystore.certificate.chain",
            "ssl.key.password",
            "ssl.endpoint.identification.algorithm");

    /** Settings whose value is never logged nor shown. */
    private static final List<String> SECRET_KEYS = List.of("sasl.jaas.config", "ssl.truststore.password",
            "ssl.keystore.password", "ssl.keystore.key", "ssl.key.password");

    private final String bootstrapServers;
    private final Map<String, String> security;

    @Inject
    public KafkaClientSettings(Config config) {
        this(config.getValue("kafka.bootstrap.servers", String.class), read(config));
        LOG.infof("Kafka clients: %s", this);
    }

    private KafkaClientSettings(String bootstrapServers, Map<String, String> security) {
        this.bootstrapServers = bootstrapServers;
        this.security = Map.copyOf(security);
        validate();
    }

    /** Explicit settings (keys of {@link #SECURITY_KEYS}); for code and tests that run without CDI. */
    public static KafkaClientSettings of(String bootstrapServers, Map<String, String> security) {
        for (String key : security.keySet()) {
            if (!SECURITY_KEYS.contains(key)) {
                throw new IllegalArgumentException("not a Kafka security setting: " + key + " (known: " + SECURITY_KEYS + ")");
            }
        }
        return new KafkaClientSettings(bootstrapServers, security);
    }

    /** No security settings: the local stack's PLAINTEXT broker. */
    public static KafkaClientSettings plaintext(String bootstrapServers) {
        return of(bootstrapServers, Map.of());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The security settings in effect (Kafka client keys), empty for PLAINTEXT. */
    public Map<String, String> security() {
        return security;
    }

    /** {@code security.protocol} in effect. */
    public String securityProtocol() {
        return security.getOrDefault("security.protocol", SecurityProtocol.PLAINTEXT.name);
    }

    /**
     * Puts the bootstrap servers and the security settings into a client's properties (call it before the
     * client-specific ones; none of those is a security key) and returns them.
     */
    public <M extends Map<? super String, ? super String>> M applyTo(M properties) {
        properties.put("bootstrap.servers", bootstrapServers);
        security.forEach(properties::put);
        return properties;
    }

    /** Bootstrap servers and the security settings, secrets masked: for logs and the health check. */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ");
        out.add("bootstrap.servers=" + bootstrapServers);
        out.add("security.protocol=" + securityProtocol());
        for (String key : SECURITY_KEYS) {
            if (security.containsKey(key) && !"security.protocol".equals(key)) {
                out.add(key + "=" + (SECRET_KEYS.contains(key) ? "[hidden]" : security.get(key)));
            }
        }
        return out.toString();
    }

    private static Map<String, String> read(Config config) {
        return Expressions.withoutExpansion(() -> {
            Map<String, String> out = new LinkedHashMap<>();
            for (String key : SECURITY_KEYS) {
                config.getOptionalValue("kafka." + key, String.class)
                        .map(String::trim)
                        .filter(v -> !v.isEmpty())
                        .ifPresent(v -> out.put(key, v));
            }
            return out;
        });
    }

    /** Fails at start-up, naming the setting, instead of clients that retry a broken handshake for ever. */
    private void validate() {
        String protocol = securityProtocol();
        SecurityProtocol parsed;
        try {
            parsed = SecurityProtocol.forName(protocol.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kafka.security.protocol (KAFKA_SECURITY_PROTOCOL): '" + protocol
                    + "' is none of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
        }
        boolean sasl = parsed == SecurityProtocol.SASL_SSL || parsed == SecurityProtocol.SASL_PLAINTEXT;
        if (sasl && !security.containsKey("sasl.jaas.config")) {
            throw new IllegalArgumentException("kafka.sasl.jaas.config (KAFKA_SASL_JAAS_CONFIG) is required with "
                    + "kafka.security.protocol=" + protocol + " (Strimzi: key sasl.jaas.config of the KafkaUser's Secret)");
        }
        if (!sasl && (security.containsKey("sasl.jaas.config") || security.containsKey("sasl.mechanism"))) {
            throw new IllegalArgumentException("kafka.sasl.* is set but kafka.security.protocol is " + protocol
                    + ": set it to SASL_SSL (or SASL_PLAINTEXT), or remove the SASL settings");
        }
        if (security.containsKey("ssl.keystore.location") && parsed != SecurityProtocol.SSL
                && parsed != SecurityProtocol.SASL_SSL) {
            throw new IllegalArgumentException("kafka.ssl.keystore.location is set but kafka.security.protocol is "
                    + protocol + ": mutual TLS needs SSL");
        }
    }
}
