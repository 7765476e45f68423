package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.helm.Charts.Values;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** observability.*: JSON logs and the one tracing switch reach every service; dashboard and alerts name real meters. */
class ObservabilityChartTest {

    private static final List<String> SERVICES = List.of("auth-service", "session-service", "notification-service",
            "billing-sync-service", "recommendation-service");

    @Test
    void everyServiceLogsJsonAndTracesOnlyWithAnEndpoint() {
        List<Map<String, Object>> off = Charts.documents(Charts.render(Values.DEFAULT));
        List<Map<String, Object>> on = Charts.documents(Charts.render(Values.DEFAULT,
                Map.of("observability.otlpEndpoint", "http://otel-collector.monitoring:4317")));
        for (String service : SERVICES) {
            Map<String, Object> data = Charts.at(configMap(off, service), "data");
            assertThat(data).as(service).containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true")
                    .doesNotContainKey("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT");
            assertThat((Map<String, Object>) Charts.at(configMap(on, service), "data")).as(service)
                    .containsEntry("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.monitoring:4317");
        }
        List<Map<String, Object>> text = Charts.documents(Charts.render(Values.DEFAULT, Map.of("observability.jsonLogs", false)));
        assertThat((Map<String, Object>) Charts.at(configMap(text, "session-service"), "data"))
                .containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
    }

    @Test
    void anEndpointThatIsNoUrlIsRefused() {
        assertThatThrownBy(() -> Charts.render(Values.DEFAULT, Map.of("observability.otlpEndpoint", "collector:4317")))
                .hasMessageContaining("otlpEndpoint");
    }

    @Test
    void theDashboardAndTheNewAlertsUseOnlyDocumentedMeters() throws Exception {
        List<Map<String, Object>> docs = Charts.documents(Charts.render(Values.DEFAULT,
                Map.of("observability.grafanaDashboard.enabled", true, "prometheusRule.enabled", true)));
        Map<String, Object> dashboard = Charts.ofKind(docs, "ConfigMap").stream()
                .filter(d -> Charts.name(d).endsWith("-grafana-dashboard")).findFirst().orElseThrow();
        assertThat((Map<String, Object>) Charts.at(dashboard, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
        JsonNode json = new ObjectMapper().readTree((String) Charts.at(dashboard, "data", "continuum.json"));
        List<String> exprs = new ArrayList<>();
        json.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(8);
        String rules = Charts.YAML.writeValueAsString(Charts.ofKind(docs, "PrometheusRule").get(0));
        assertThat(rules).contains("ContinuumOutboxRowsOld", "ContinuumConsumerLagHigh", "ContinuumKeycloakAdminFailing");

        String operations = Files.readString(Charts.repoRoot().resolve("docs/operations.md"));
        List<String> all = new ArrayList<>(exprs);
        all.add(rules);
        for (String expr : all) {
            Matcher m = Pattern.compile("\\b((?:continuum|kafka_consumer)_[a-z_]+)").matcher(expr);
            while (m.find()) {
                String meter = m.group(1).replaceAll("_(bucket|count|sum|total)$", "");
                assertThat(operations).as("docs/operations.md documents %s", meter).contains(meter);
            }
        }
        assertThat(Charts.ofKind(Charts.documents(Charts.render(Values.DEFAULT)), "ConfigMap").stream().map(Charts::name))
                .noneMatch(n -> n.endsWith("-grafana-dashboard"));
    }

    private static Map<String, Object> configMap(List<Map<String, Object>> docs, String service) {
        return Charts.ofKind(docs, "ConfigMap").stream().filter(d -> service.equals(Charts.name(d))).findFirst().orElseThrow();
    }
}
