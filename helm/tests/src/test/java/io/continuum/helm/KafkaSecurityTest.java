package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.helm.Charts.Values;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How a service's Kafka clients get their credentials: the chart puts Strimzi's Secrets into the pod (SCRAM: the
 * KafkaUser Secret's {@code sasl.jaas.config}; mTLS: its {@code user.p12} + {@code user.password}; both: the
 * cluster CA's {@code ca.crt}, mounted read-only) as {@code KAFKA_*} variables, and every Kafka client of the code
 * reads them through libs/platform's {@code KafkaClientSettings}. Checked on both sides: the rendered pods, for
 * SCRAM, mTLS and a plaintext external Kafka, and the code, whose every producer/consumer/admin is built from it.
 */
class KafkaSecurityTest {

    static final String CA_DIR = "/etc/continuum/kafka-ca";
    static final String USER_DIR = "/etc/continuum/kafka-user";
    static final Pattern SECURITY_KEYS = Pattern.compile("SECURITY_KEYS = List\\.of\\(([^;]*)\\);", Pattern.DOTALL);
    static final Pattern CLIENT = Pattern.compile("new Kafka(Producer|Consumer)<|\\bAdmin(Client)?\\.create\\(");

    /** One rendered service pod: its ConfigMap data, env (name → valueFrom or value), mounts and volumes. */
    record Pod(Map<String, String> config, Map<String, Object> env, List<Map<String, Object>> mounts,
               List<Map<String, Object>> volumes) {

        Map<String, Object> volume(String name) {
            return volumes.stream().filter(v -> name.equals(v.get("name"))).findFirst().orElse(null);
        }

        Map<String, Object> mount(String name) {
            return mounts.stream().filter(m -> name.equals(m.get("name"))).findFirst().orElse(null);
        }

        /** Every KAFKA_* setting other than the bootstrap servers, from the ConfigMap and the env. */
        Set<String> kafkaSecuritySettings() {
            Set<String> out = new TreeSet<>();
            Stream.concat(config.keySet().stream(), env.keySet().stream())
                    .filter(k -> k.startsWith("KAFKA_") && !"KAFKA_BOOTSTRAP_SERVERS".equals(k)).forEach(out::add);
            return out;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Pod> pods(Values values, Map<String, Object> sets) {
        List<Map<String, Object>> docs = Charts.documents(Charts.render(values, sets));
        Map<String, Pod> out = new LinkedHashMap<>();
        for (Map<String, Object> dep : Charts.ofKind(docs, "Deployment")) {
            String name = Charts.name(dep);
            Map<String, String> data = Charts.ofKind(docs, "ConfigMap").stream().filter(c -> name.equals(Charts.name(c)))
                    .findFirst().map(c -> (Map<String, String>) c.get("data")).orElse(Map.of());
            Map<String, Object> container = Charts.at(dep, "spec", "template", "spec", "containers", "0");
            Map<String, Object> env = new LinkedHashMap<>();
            for (Map<String, Object> e : java.util.Objects.requireNonNullElse((List<Map<String, Object>>) container.get("env"), List.<Map<String, Object>>of())) {
                env.put((String) e.get("name"), e.containsKey("valueFrom") ? e.get("valueFrom") : e.get("value"));
            }
            out.put(name, new Pod(data, env, (List<Map<String, Object>>) container.get("volumeMounts"),
                    (List<Map<String, Object>>) Charts.at(dep, "spec", "template", "spec", "volumes")));
        }
        return out;
    }

    /** Services with Kafka access declared in values (the simulator has none). */
    @SuppressWarnings("unchecked")
    static Set<String> kafkaServices() {
        Map<String, Object> services = Charts.at(Charts.readYaml(Charts.chart().resolve("values.yaml")), "services");
        Set<String> out = new TreeSet<>();
        services.forEach((name, svc) -> {
            Map<String, Object> kafka = Charts.at(svc, "kafka");
            if (!((List<?>) kafka.get("produces")).isEmpty() || !((List<?>) kafka.get("consumes")).isEmpty()) {
                out.add(name);
            }
        });
        return out;
    }

    @Test
    void scramTakesTheJaasConfigOfTheServicesKafkaUserSecretAndTrustsTheClusterCa() {
        Map<String, Pod> pods = pods(Values.DEV, Map.of());
        Set<String> kafkaUsers = new TreeSet<>(Charts.ofKind(Charts.documents(Charts.render(Values.DEV)), "KafkaUser")
                .stream().map(Charts::name).toList());
        assertThat(pods.keySet()).containsAll(kafkaServices());
        for (String service : kafkaServices()) {
            Pod pod = pods.get(service);
            String user = Charts.RELEASE + "-" + service;
            assertThat(kafkaUsers).as("%s: its KafkaUser (whose Secret Strimzi names alike)", service).contains(user);
            assertThat(pod.config()).as(service)
                    .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "continuum-kafka-kafka-bootstrap:9093")
                    .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                    .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
            assertThat(pod.env().get("KAFKA_SASL_JAAS_CONFIG")).as(service)
                    .isEqualTo(Map.of("secretKeyRef", Map.of("name", user, "key", "sasl.jaas.config")));
            assertTrustsTheClusterCa(service, pod);
            assertThat(pod.kafkaSecuritySettings()).as(service).containsExactlyInAnyOrder("KAFKA_SECURITY_PROTOCOL",
                    "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_TYPE", "KAFKA_SSL_TRUSTSTORE_LOCATION");
            assertThat(pod.volume("kafka-user")).as(service + ": no client certificate with SCRAM").isNull();
        }
        assertThat(pods.get("billing-provider-simulator").kafkaSecuritySettings()).as("no Kafka, no credentials").isEmpty();
        assertThat(pods.get("billing-provider-simulator").volume("kafka-ca")).isNull();
        assertThat(pods.get("web").kafkaSecuritySettings()).as("the web app has no Kafka client").isEmpty();
        assertThat(pods.get("web").volume("kafka-ca")).isNull();
    }

    @Test
    void mutualTlsMountsTheUsersKeystoreReadOnlyWithItsPasswordFromTheSecret() {
        Map<String, Pod> pods = pods(Values.DEV, Map.of("kafka.strimzi.authentication", "tls"));
        List<Map<String, Object>> users = Charts.ofKind(Charts.documents(Charts.render(Values.DEV,
                Map.of("kafka.strimzi.authentication", "tls"))), "KafkaUser");
        assertThat(users).isNotEmpty().allSatisfy(u ->
                assertThat((String) Charts.at(u, "spec", "authentication", "type")).isEqualTo("tls"));
        for (String service : kafkaServices()) {
            Pod pod = pods.get(service);
            String user = Charts.RELEASE + "-" + service;
            assertThat(pod.config()).as(service)
                    .containsEntry("KAFKA_SECURITY_PROTOCOL", "SSL")
                    .containsEntry("KAFKA_SSL_KEYSTORE_TYPE", "PKCS12")
                    .containsEntry("KAFKA_SSL_KEYSTORE_LOCATION", USER_DIR + "/user.p12");
            assertThat(pod.env().get("KAFKA_SSL_KEYSTORE_PASSWORD")).as(service)
                    .isEqualTo(Map.of("secretKeyRef", Map.of("name", user, "key", "user.password")));
            assertThat(pod.volume("kafka-user")).as(service).isEqualTo(Map.of("name", "kafka-user",
                    "secret", Map.of("secretName", user, "items", List.of(Map.of("key", "user.p12", "path", "user.p12")))));
            assertThat(pod.mount("kafka-user")).as(service)
                    .isEqualTo(Map.of("name", "kafka-user", "mountPath", USER_DIR, "readOnly", true));
            assertTrustsTheClusterCa(service, pod);
            assertThat(pod.kafkaSecuritySettings()).as(service + ": no SASL with mTLS").containsExactlyInAnyOrder(
                    "KAFKA_SECURITY_PROTOCOL", "KAFKA_SSL_KEYSTORE_TYPE", "KAFKA_SSL_KEYSTORE_LOCATION",
                    "KAFKA_SSL_KEYSTORE_PASSWORD", "KAFKA_SSL_TRUSTSTORE_TYPE", "KAFKA_SSL_TRUSTSTORE_LOCATION");
        }
    }

    @Test
    void aPlaintextExternalKafkaGetsNoSecuritySettingsNorKafkaVolumes() {
        Map<String, Pod> pods = pods(Values.DEV, Map.of("kafka.strimzi.enabled", false,
                "kafka.external.bootstrapServers", "kafka.infra:9092"));
        assertThat(Charts.ofKind(Charts.documents(Charts.render(Values.DEV, Map.of("kafka.strimzi.enabled", false,
                "kafka.external.bootstrapServers", "kafka.infra:9092"))), "KafkaUser")).isEmpty();
        for (String service : kafkaServices()) {
            Pod pod = pods.get(service);
            assertThat(pod.config()).as(service).containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka.infra:9092");
            assertThat(pod.kafkaSecuritySettings()).as(service).isEmpty();
            assertThat(pod.volume("kafka-ca")).as(service).isNull();
            assertThat(pod.volume("kafka-user")).as(service).isNull();
            assertThat(pod.mounts()).as(service).extracting(m -> m.get("name")).containsExactly("tmp");
        }
    }

    /** Every KAFKA_* variable the chart sets is one KafkaClientSettings reads (else it would reach no client). */
    @Test
    void everyKafkaVariableTheChartSetsIsReadByTheCode() throws IOException {
        Set<String> read = new TreeSet<>();
        for (String key : securityKeysOfTheCode()) {
            read.add("KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'));
        }
        Set<String> set = new TreeSet<>();
        for (Map<String, Object> sets : List.<Map<String, Object>>of(Map.of(), Map.of("kafka.strimzi.authentication", "tls"))) {
            pods(Values.DEV, sets).values().forEach(p -> set.addAll(p.kafkaSecuritySettings()));
        }
        assertThat(set).hasSize(8);
        assertThat(read).containsAll(set);
    }

    /**
     * The code side: every Kafka producer, consumer and admin client in a service's (or libs/') main sources is built
     * in a file that takes its properties from {@code KafkaClientSettings.applyTo}, and nothing else reads
     * {@code kafka.bootstrap.servers} (a client that did would connect without the credentials).
     */
    @Test
    void everyKafkaClientOfTheCodeTakesItsSettingsFromKafkaClientSettings() throws IOException {
        List<String> clients = new ArrayList<>();
        List<String> offenders = new ArrayList<>();
        for (Path java : mainSources()) {
            String src = Files.readString(java);
            String file = Charts.repoRoot().relativize(java).toString();
            if (file.startsWith("libs/testing/") || file.endsWith("/KafkaClientSettings.java")) {
                continue; // test helpers run against the local PLAINTEXT broker only
            }
            if (CLIENT.matcher(src).find()) {
                clients.add(file);
                if (!src.contains("KafkaClientSettings") || !src.contains(".applyTo(")) {
                    offenders.add(file + " builds a Kafka client without KafkaClientSettings.applyTo");
                }
            }
            if (src.contains("\"kafka.bootstrap.servers\"")) {
                offenders.add(file + " reads kafka.bootstrap.servers itself");
            }
        }
        assertThat(clients).as("the Kafka clients found").hasSizeGreaterThanOrEqualTo(8)
                .anyMatch(f -> f.endsWith("OutboxPublisher.java")).anyMatch(f -> f.endsWith("FanoutBus.java"));
        assertThat(offenders).isEmpty();
    }

    static void assertTrustsTheClusterCa(String service, Pod pod) {
        assertThat(pod.config()).as(service)
                .containsEntry("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM")
                .containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", CA_DIR + "/ca.crt");
        assertThat(pod.volume("kafka-ca")).as(service).isEqualTo(Map.of("name", "kafka-ca", "secret", Map.of(
                "secretName", "continuum-kafka-cluster-ca-cert", "items", List.of(Map.of("key", "ca.crt", "path", "ca.crt")))));
        assertThat(pod.mount("kafka-ca")).as(service).isEqualTo(Map.of("name", "kafka-ca", "mountPath", CA_DIR, "readOnly", true));
    }

    static List<String> securityKeysOfTheCode() throws IOException {
        String src = Files.readString(Charts.repoRoot().resolve(
                "libs/platform/src/main/java/io/continuum/platform/kafka/KafkaClientSettings.java"));
        Matcher m = SECURITY_KEYS.matcher(src);
        assertThat(m.find()).as("KafkaClientSettings.SECURITY_KEYS").isTrue();
        List<String> keys = new ArrayList<>();
        Matcher s = Pattern.compile("\"([a-z.]+)\"").matcher(m.group(1));
        while (s.find()) {
            keys.add(s.group(1));
        }
        return keys;
    }

    /** The main Java sources of every module: {@code <module>/src/main/java} and {@code libs/<lib>/src/main/java}. */
    static List<Path> mainSources() {
        Path root = Charts.repoRoot();
        try (Stream<Path> top = Files.list(root); Stream<Path> libs = Files.list(root.resolve("libs"))) {
            List<Path> out = new ArrayList<>();
            for (Path module : Stream.concat(top, libs).toList()) {
                Path src = module.resolve("src/main/java");
                if (Files.isDirectory(src)) {
                    try (Stream<Path> files = Files.walk(src)) {
                        files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
                    }
                }
            }
            return out.stream().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
