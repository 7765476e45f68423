package io.continuum.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one place Kafka clients take their connection settings from. The configuration is given the way a pod gets it:
 * environment variables (an {@link EnvConfigSource} with the names the Helm chart sets, e.g.
 * {@code KAFKA_SASL_JAAS_CONFIG}), over the library's defaults. Nothing is faked: the real Kafka client classes are
 * constructed with the resulting properties (they parse and validate every setting, log in the SCRAM module and load
 * the key and trust stores at construction), only no broker is contacted.
 */
class KafkaClientSettingsTest {

    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"continuum-session-service\" password=\"p$ssw0rd\";";

    @TempDir
    Path dir;

    static KafkaClientSettings fromEnv(Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300))
                .withSources(new PropertiesConfigSource(Map.of("kafka.bootstrap.servers", "localhost:9092"), "defaults", 100))
                .build();
        return new KafkaClientSettings(config);
    }

    @Test
    void plaintextIsTheDefaultAndAddsOnlyTheBootstrapServers() {
        KafkaClientSettings kafka = fromEnv(Map.of());
        Properties props = kafka.applyTo(new Properties());
        assertThat(props).containsOnly(Map.entry("bootstrap.servers", "localhost:9092"));
        assertThat(kafka.securityProtocol()).isEqualTo("PLAINTEXT");
        assertThat(kafka.security()).isEmpty();
        assertThat(KafkaClientSettings.plaintext("h:1").applyTo(new HashMap<String, Object>()))
                .containsOnly(Map.entry("bootstrap.servers", "h:1"));
    }

    @Test
    void scramOverTlsFromTheChartsEnvironmentLandsInTheClientConfig() throws Exception {
        Stores stores = Stores.make(dir);
        KafkaClientSettings kafka = fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1", // nothing listens there: the clients are only built
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", JAAS,
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", stores.caPem().toString()));

        Properties props = kafka.applyTo(new Properties());
        assertThat(props).containsOnly(
                Map.entry("bootstrap.servers", "127.0.0.1:1"),
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", JAAS), // taken literally: the '$' of the password is not an expression
                Map.entry("ssl.truststore.type", "PEM"),
                Map.entry("ssl.truststore.location", stores.caPem().toString()));
        assertThat(kafka.toString()).contains("security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=[hidden]").doesNotContain("p$ssw0rd");

        constructEveryKindOfClient(kafka);
    }

    @Test
    void mutualTlsFromTheChartsEnvironmentLandsInTheClientConfig() throws Exception {
        Stores stores = Stores.make(dir);
        KafkaClientSettings kafka = fromEnv(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1", // nothing listens there: the clients are only built
                "KAFKA_SECURITY_PROTOCOL", "SSL",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", stores.caPem().toString(),
                "KAFKA_SSL_KEYSTORE_TYPE", "PKCS12",
                "KAFKA_SSL_KEYSTORE_LOCATION", stores.userP12().toString(),
                "KAFKA_SSL_KEYSTORE_PASSWORD", Stores.PASSWORD));

        assertThat(kafka.applyTo(new HashMap<String, Object>())).containsOnly(
                Map.entry("bootstrap.servers", "127.0.0.1:1"),
                Map.entry("security.protocol", "SSL"),
                Map.entry("ssl.truststore.type", "PEM"),
                Map.entry("ssl.truststore.location", stores.caPem().toString()),
                Map.entry("ssl.keystore.type", "PKCS12"),
                Map.entry("ssl.keystore.location", stores.userP12().toString()),
                Map.entry("ssl.keystore.password", Stores.PASSWORD));
        assertThat(kafka.toString()).contains("ssl.keystore.password=[hidden]").doesNotContain(Stores.PASSWORD);

        constructEveryKindOfClient(kafka);
    }

    @Test
    void aWrongKeystorePasswordFailsInTheClientNotSilently() throws Exception {
        Stores stores = Stores.make(dir);
        KafkaClientSettings kafka = KafkaClientSettings.of("127.0.0.1:1", Map.of(
                "security.protocol", "SSL",
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", stores.userP12().toString(),
                "ssl.keystore.password", "wrong"));
        assertThatThrownBy(() -> new KafkaProducer<>(kafka.applyTo(new Properties()), new StringSerializer(),
                new StringSerializer()).close()).hasStackTraceContaining("keystore");
    }

    @Test
    void inconsistentSettingsFailAtStartUpNamingTheSetting() {
        assertThatThrownBy(() -> fromEnv(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_TLS")))
                .hasMessageContaining("kafka.security.protocol").hasMessageContaining("SASL_TLS");
        assertThatThrownBy(() -> fromEnv(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")))
                .hasMessageContaining("kafka.sasl.jaas.config (KAFKA_SASL_JAAS_CONFIG) is required");
        assertThatThrownBy(() -> fromEnv(Map.of("KAFKA_SASL_JAAS_CONFIG", JAAS)))
                .hasMessageContaining("kafka.security.protocol is PLAINTEXT");
        assertThatThrownBy(() -> fromEnv(Map.of("KAFKA_SSL_KEYSTORE_LOCATION", "/x.p12")))
                .hasMessageContaining("mutual TLS needs SSL");
        assertThatThrownBy(() -> KafkaClientSettings.of("b:1", Map.of("ssl.keystore.pasword", "x")))
                .hasMessageContaining("ssl.keystore.pasword");
    }

    /** Producer, consumer and admin client as the services build them (client-specific settings after ours). */
    static void constructEveryKindOfClient(KafkaClientSettings kafka) {
        Properties producer = kafka.applyTo(new Properties());
        producer.put("acks", "all");
        producer.put("max.block.ms", 1);
        new KafkaProducer<>(producer, new StringSerializer(), new StringSerializer()).close();
        Properties consumer = kafka.applyTo(new Properties());
        consumer.put("enable.auto.commit", "false");
        new KafkaConsumer<>(consumer, new StringDeserializer(), new StringDeserializer()).close();
        Map<String, Object> admin = kafka.applyTo(new HashMap<>());
        admin.put("request.timeout.ms", 100);
        admin.put("default.api.timeout.ms", 100);
        Admin.create(admin).close(java.time.Duration.ZERO);
    }

    /**
     * What Strimzi puts in the Secrets, made with the JDK's keytool: a CA certificate (PEM, key {@code ca.crt} of
     * {@code <cluster>-cluster-ca-cert}) and a user key + certificate in PKCS12 (key {@code user.p12} of the
     * KafkaUser's Secret, password {@code user.password}).
     */
    record Stores(Path caPem, Path userP12) {
        static final String PASSWORD = "user-pass-123";

        static Stores make(Path dir) throws Exception {
            Path p12 = dir.resolve("user.p12");
            Path pem = dir.resolve("ca.crt");
            keytool(List.of("-genkeypair", "-alias", "user", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=continuum-session-service", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", p12.toString(), "-storepass", PASSWORD));
            keytool(List.of("-exportcert", "-rfc", "-alias", "user", "-keystore", p12.toString(),
                    "-storepass", PASSWORD, "-file", pem.toString()));
            assertThat(Files.readString(pem)).startsWith("-----BEGIN CERTIFICATE-----");
            return new Stores(pem, p12);
        }

        static void keytool(List<String> args) throws Exception {
            List<String> cmd = new java.util.ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("keytool %s: %s", args.get(0), out).isZero();
        }
    }
}
