package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.continuum.helm.Charts.Values;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code helm lint --strict}, {@code helm template} with every value file, the schema and the {@code fail} checks. */
class ChartRenderTest {

    @Test
    void lintStrictPasses() {
        LintResult result = Charts.helm().lint().strict().call();
        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    void rendersEveryServiceWithItsObjects(Values values) {
        List<Map<String, Object>> docs = Charts.documents(Charts.render(values));
        List<String> deployments = Charts.ofKind(docs, "Deployment").stream().map(Charts::name).toList();
        assertThat(deployments).contains("auth-service", "session-service", "notification-service",
                "billing-sync-service", "recommendation-service");
        for (String kind : List.of("Service", "ServiceAccount", "ConfigMap", "NetworkPolicy")) {
            assertThat(Charts.ofKind(docs, kind).stream().map(Charts::name).toList()).as(kind).containsAll(deployments);
        }
        assertThat(Charts.ofKind(docs, "HTTPRoute")).hasSize(1);
        assertThat(Charts.ofKind(docs, "Kafka")).hasSize(1);
        assertThat(Charts.ofKind(docs, "KafkaNodePool")).hasSize(1);
        assertThat(Charts.ofKind(docs, "Keycloak")).hasSize(1);
        assertThat(Charts.ofKind(docs, "KeycloakRealmImport")).hasSize(1);
        for (Map<String, Object> d : docs) {
            Map<String, Object> labels = Charts.at(d, "metadata", "labels");
            assertThat(labels).as("labels of %s %s", d.get("kind"), Charts.name(d))
                    .containsKeys("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/part-of",
                            "app.kubernetes.io/managed-by", "app.kubernetes.io/version");
        }
    }

    @Test
    void billingSimulatorIsOffByDefaultAndOnInDev() {
        assertThat(Charts.ofKind(Charts.documents(Charts.render(Values.DEFAULT)), "Deployment").stream().map(Charts::name))
                .doesNotContain("billing-provider-simulator");
        assertThat(Charts.ofKind(Charts.documents(Charts.render(Values.DEV)), "Deployment").stream().map(Charts::name))
                .contains("billing-provider-simulator");
    }

    @Test
    void productionHasTwoOrMoreReplicasPdbsAntiAffinityAndSocketScaledNotifications() {
        List<Map<String, Object>> docs = Charts.documents(Charts.render(Values.PRODUCTION));
        List<Map<String, Object>> hpas = Charts.ofKind(docs, "HorizontalPodAutoscaler");
        assertThat(hpas).hasSize(5);
        for (Map<String, Object> hpa : hpas) {
            assertThat((Integer) Charts.at(hpa, "spec", "minReplicas")).as(Charts.name(hpa)).isGreaterThanOrEqualTo(2);
        }
        Map<String, Object> notif = hpas.stream().filter(h -> "notification-service".equals(Charts.name(h))).findFirst().orElseThrow();
        assertThat((String) Charts.at(notif, "spec", "metrics", "0", "type")).isEqualTo("Pods");
        assertThat((String) Charts.at(notif, "spec", "metrics", "0", "pods", "metric", "name"))
                .isEqualTo("continuum_notification_sockets");
        assertThat(Charts.ofKind(docs, "PodDisruptionBudget")).hasSize(5);
        for (Map<String, Object> dep : Charts.ofKind(docs, "Deployment")) {
            assertThat((Object) Charts.at(dep, "spec", "template", "spec", "affinity", "podAntiAffinity",
                    "requiredDuringSchedulingIgnoredDuringExecution")).as(Charts.name(dep)).isNotNull();
        }
        assertThat((Integer) Charts.at(Charts.ofKind(docs, "KafkaNodePool").get(0), "spec", "replicas")).isEqualTo(3);
        assertThat(Charts.ofKind(docs, "Cluster")).hasSize(5);
        assertThat(Charts.ofKind(docs, "KeycloakRealmImport").get(0)).satisfies(ri ->
                assertThat((Object) Charts.at(ri, "spec", "realm", "users")).as("no demo users in production").isNull());
    }

    @Test
    void schemaRejectsATypoedKey() {
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("serviceDefaults.replicsa", 2)))
                .hasMessageContaining("replicsa");
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("services.auth-service.kafka.produce[0]", "x")))
                .hasMessageContaining("produce");
    }

    @Test
    void schemaRejectsAWrongType() {
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("serviceDefaults.antiAffinity", "sometimes")))
                .hasMessageContaining("antiAffinity");
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("kafka.strimzi.replicas", "three")))
                .hasMessageContaining("replicas");
    }

    @Test
    void invalidCombinationsFailWithWhatToChange() {
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("kafka.strimzi.replicationFactor", 3)))
                .hasMessageContaining("raise replicas or lower the replication factor");
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("kafka.strimzi.enabled", false)))
                .hasMessageContaining("set kafka.external.bootstrapServers");
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("keycloak.operator.enabled", false)))
                .hasMessageContaining("set keycloak.external.url");
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("services.auth-service.port", 9999)))
                .hasMessageContaining("comes from deploy/gateway/routes.yaml");
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("services.session-service.kafka.produces[0]", "state.event")))
                .hasMessageContaining("topic state.event is not in deploy/kafka/topics.yaml");
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("gateway.proxyNamespaces", "null")))
                .hasMessageContaining("gateway.proxyNamespaces or gateway.proxyPodLabels");
    }

    @Test
    void imageResolvesPerServiceThenGlobalThenAppVersion() {
        String appVersion = Charts.at(Charts.readYaml(Charts.chart().resolve("Chart.yaml")), "appVersion");
        assertThat(image(Map.of())).isEqualTo("continuum/session-service:" + appVersion);
        assertThat(image(Map.of("global.image.registry", "reg.example.com", "global.image.tag", "1.2.3")))
                .isEqualTo("reg.example.com/continuum/session-service:1.2.3");
        assertThat(image(Map.of("global.image.tag", "1.2.3", "services.session-service.image.repository", "other/sess",
                "services.session-service.image.tag", "v9"))).isEqualTo("other/sess:v9");
    }

    private static String image(Map<String, Object> sets) {
        Map<String, Object> dep = Charts.ofKind(Charts.documents(Charts.render(Values.DEFAULT, sets)), "Deployment").stream()
                .filter(d -> "session-service".equals(Charts.name(d))).findFirst().orElseThrow();
        return Charts.at(dep, "spec", "template", "spec", "containers", "0", "image");
    }
}
