package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuum.helm.Charts.Values;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The web app (web/) in the chart: component {@code web} through the one service template, off by default and on in
 * the dev values, routed at {@code /} beside the API routes, its config.js settings from values, and the realm's
 * public client {@code continuum-web} pointed at its public origin (never at localhost).
 */
class WebChartTest {

    static Map<String, Object> named(List<Map<String, Object>> docs, String kind, String name) {
        return Charts.ofKind(docs, kind).stream().filter(d -> name.equals(Charts.name(d))).findFirst().orElse(null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> webClient(List<Map<String, Object>> docs) {
        List<Map<String, Object>> clients = Charts.at(Charts.ofKind(docs, "KeycloakRealmImport").get(0), "spec", "realm", "clients");
        return clients.stream().filter(c -> "continuum-web".equals(c.get("clientId"))).findFirst().orElseThrow();
    }

    @Test
    @SuppressWarnings("unchecked")
    void offByDefaultAndItsRealmClientStillHasNoLocalhostRedirects() {
        List<Map<String, Object>> docs = Charts.documents(Charts.render(Values.DEFAULT));
        assertThat(docs).noneMatch(d -> "web".equals(Charts.name(d)));
        List<Map<String, Object>> rules = Charts.at(Charts.ofKind(docs, "HTTPRoute").get(0), "spec", "rules");
        assertThat(rules).noneMatch(r -> "/".equals(Charts.at(r, "matches", "0", "path", "value")));
        Map<String, Object> web = webClient(docs);
        assertThat((List<String>) web.get("redirectUris")).containsExactly("https://app.example.com/*");
        assertThat((List<String>) web.get("webOrigins")).containsExactly("https://app.example.com");
        assertThat(web.toString()).doesNotContain("localhost").doesNotContain("127.0.0.1");
        assertThat((Map<String, Object>) web.get("attributes")).containsEntry("pkce.code.challenge.method", "S256")
                .containsEntry("post.logout.redirect.uris", "https://app.example.com/*");
        assertThat(web).containsEntry("publicClient", true).containsEntry("directAccessGrantsEnabled", false);
    }

    @Test
    @SuppressWarnings("unchecked")
    void devServesTheAppThroughTheServiceTemplateWithItsConfigFromValues() {
        List<Map<String, Object>> docs = Charts.documents(Charts.render(Values.DEV));
        String appVersion = Charts.at(Charts.readYaml(Charts.chart().resolve("Chart.yaml")), "appVersion");
        Map<String, Object> dep = named(docs, "Deployment", "web");
        assertThat(dep).isNotNull();
        Map<String, Object> container = Charts.at(dep, "spec", "template", "spec", "containers", "0");
        assertThat(container.get("image")).isEqualTo("continuum/web:" + appVersion);
        assertThat((Object) Charts.at(container, "ports", "0", "containerPort")).isEqualTo(8080);
        assertThat(container.get("env")).as("no database, Kafka or Keycloak secret").isNull();
        for (String kind : List.of("ConfigMap", "Service", "ServiceAccount", "NetworkPolicy")) {
            assertThat(named(docs, kind, "web")).as(kind).isNotNull();
        }
        Map<String, String> config = (Map<String, String>) named(docs, "ConfigMap", "web").get("data");
        assertThat(config).containsEntry("QUARKUS_HTTP_PORT", "8080")
                .containsEntry("CONTINUUM_WEB_KEYCLOAK_URL", "https://auth.continuum.localtest.me")
                .containsEntry("CONTINUUM_WEB_REALM", "continuum")
                .containsEntry("CONTINUUM_WEB_CLIENT_ID", "continuum-web");
        assertThat(config.keySet()).noneMatch(k -> k.startsWith("KAFKA_") || k.startsWith("CONTINUUM_DB")
                || k.startsWith("QUARKUS_OIDC"));
        assertThat((Object) Charts.at(named(docs, "Service", "web"), "spec", "ports", "0", "port")).isEqualTo(8080);

        // reached from the gateway's proxies only; reaches nothing but DNS
        Map<String, Object> np = named(docs, "NetworkPolicy", "web");
        assertThat((List<Object>) Charts.at(np, "spec", "ingress")).isNotEmpty();
        assertThat((List<Map<String, Object>>) Charts.at(np, "spec", "egress")).hasSize(1)
                .allSatisfy(e -> assertThat(e.toString()).contains("kube-dns"));

        // `/` to the app, the API routes unchanged beside it (longest prefix wins)
        List<Map<String, Object>> rules = Charts.at(Charts.ofKind(docs, "HTTPRoute").get(0), "spec", "rules");
        Map<String, Object> root = rules.stream().filter(r -> "/".equals(Charts.at(r, "matches", "0", "path", "value")))
                .findFirst().orElseThrow();
        assertThat((Map<String, Object>) Charts.at(root, "backendRefs", "0")).isEqualTo(Map.of("name", "web", "port", 8080));
        assertThat(rules).anyMatch(r -> "/api/state".equals(Charts.at(r, "matches", "0", "path", "value")))
                .anyMatch(r -> "/ws".equals(Charts.at(r, "matches", "0", "path", "value")));

        Map<String, Object> web = webClient(docs);
        assertThat((List<String>) web.get("redirectUris")).containsExactly("https://continuum.localtest.me/*");
        assertThat((List<String>) web.get("webOrigins")).containsExactly("https://continuum.localtest.me");
        assertThat(web).containsEntry("rootUrl", "https://continuum.localtest.me");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theIngressOptionRoutesSlashToTheAppToo() {
        List<Map<String, Object>> docs = Charts.documents(Charts.render(Values.DEV, Map.of("gateway.ingress.enabled", true)));
        List<Map<String, Object>> paths = Charts.at(Charts.ofKind(docs, "Ingress").get(0), "spec", "rules", "0", "http", "paths");
        assertThat(paths).anyMatch(p -> "/".equals(p.get("path"))
                && "web".equals(Charts.at(p, "backend", "service", "name"))
                && Integer.valueOf(8080).equals(Charts.at(p, "backend", "service", "port", "number")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theBrowsersKeycloakUrlFollowsTheKeycloakValuesOrIsSetExplicitly() {
        Map<String, String> external = (Map<String, String>) named(Charts.documents(Charts.render(Values.DEV, Map.of(
                "keycloak.operator.enabled", false, "keycloak.external.url", "https://sso.example.org"))), "ConfigMap", "web").get("data");
        assertThat(external).containsEntry("CONTINUUM_WEB_KEYCLOAK_URL", "https://sso.example.org");
        Map<String, String> explicit = (Map<String, String>) named(Charts.documents(Charts.render(Values.DEV, Map.of(
                "web.config.keycloakUrl", "https://login.example.net", "web.config.clientId", "my-web"))), "ConfigMap", "web").get("data");
        assertThat(explicit).containsEntry("CONTINUUM_WEB_KEYCLOAK_URL", "https://login.example.net")
                .containsEntry("CONTINUUM_WEB_CLIENT_ID", "my-web");
    }

    @Test
    void theSchemaRejectsAPublicUrlWithAPathOrATypo() {
        assertThatThrownBy(() -> Charts.render(Values.DEV, Map.of("web.publicUrl", "https://app.example.com/")))
                .hasMessageContaining("publicUrl");
        assertThatThrownBy(() -> Charts.render(Values.DEV, Map.of("web.publicURL", "https://app.example.com")))
                .hasMessageContaining("publicURL");
    }
}
