package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.helm.Charts.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Policy checks on the rendered chart, and the single source of truth of routes, topics and realm. */
class PolicyTest {

    @ParameterizedTest
    @EnumSource(Values.class)
    @SuppressWarnings("unchecked")
    void everyDeploymentIsProbedBoundedAndHardened(Values values) {
        for (Map<String, Object> dep : Charts.ofKind(Charts.documents(Charts.render(values)), "Deployment")) {
            String name = Charts.name(dep);
            Map<String, Object> pod = Charts.at(dep, "spec", "template", "spec");
            assertThat((Boolean) Charts.at(pod, "securityContext", "runAsNonRoot")).as(name).isTrue();
            assertThat((String) Charts.at(pod, "securityContext", "seccompProfile", "type")).as(name).isEqualTo("RuntimeDefault");
            assertThat((Boolean) pod.get("automountServiceAccountToken")).as(name).isFalse();
            List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
            for (Map<String, Object> c : containers) {
                assertThat((String) Charts.at(c, "startupProbe", "httpGet", "path")).as(name).isEqualTo("/q/health/started");
                assertThat((String) Charts.at(c, "livenessProbe", "httpGet", "path")).as(name).isEqualTo("/q/health/live");
                assertThat((String) Charts.at(c, "readinessProbe", "httpGet", "path")).as(name).isEqualTo("/q/health/ready");
                assertThat((Map<String, Object>) Charts.at(c, "resources", "requests")).as(name).containsKeys("cpu", "memory");
                assertThat((Map<String, Object>) Charts.at(c, "resources", "limits")).as(name).containsKeys("cpu", "memory");
                Map<String, Object> sc = (Map<String, Object>) c.get("securityContext");
                assertThat(sc).as(name).containsEntry("runAsNonRoot", true).containsEntry("readOnlyRootFilesystem", true)
                        .containsEntry("allowPrivilegeEscalation", false);
                assertThat((Integer) sc.get("runAsUser")).as(name).isNotZero();
                assertThat((List<String>) Charts.at(sc, "capabilities", "drop")).as(name).containsExactly("ALL");
                assertThat((List<Map<String, Object>>) c.get("volumeMounts")).as(name + ": writable /tmp")
                        .anyMatch(v -> "/tmp".equals(v.get("mountPath")));
            }
            assertThat((List<Map<String, Object>>) pod.get("volumes")).as(name)
                    .anyMatch(v -> "tmp".equals(v.get("name")) && v.containsKey("emptyDir"));
        }
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    @SuppressWarnings("unchecked")
    void everyTopicOfTopicsYamlHasItsKafkaTopic(Values values) {
        List<Map<String, Object>> declared = (List<Map<String, Object>>) Charts.readYaml(Charts.repoRoot().resolve("deploy/kafka/topics.yaml"));
        Map<String, Map<String, Object>> rendered = Charts.ofKind(Charts.documents(Charts.render(values)), "KafkaTopic").stream()
                .collect(Collectors.toMap(t -> Charts.at(t, "spec", "topicName"), t -> t));
        assertThat(rendered.keySet()).containsExactlyInAnyOrderElementsOf(declared.stream().map(t -> (String) t.get("name")).toList());
        for (Map<String, Object> t : declared) {
            Map<String, Object> kt = rendered.get(t.get("name"));
            assertThat((Integer) Charts.at(kt, "spec", "partitions")).isEqualTo(t.get("partitions"));
            Map<String, Object> config = Charts.at(kt, "spec", "config");
            ((Map<String, Object>) t.get("config")).forEach((k, v) -> {
                if (!k.equals("min.insync.replicas")) { // set per cluster size in values
                    assertThat(String.valueOf(config.get(k))).as(t.get("name") + " " + k).isEqualTo(String.valueOf(v));
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    @SuppressWarnings("unchecked")
    void everyRouteOfRoutesYamlIsInTheHttpRoute(Values values) {
        Map<String, Object> table = (Map<String, Object>) Charts.readYaml(Charts.repoRoot().resolve("deploy/gateway/routes.yaml"));
        Map<String, Integer> ports = ((List<Map<String, Object>>) table.get("services")).stream()
                .collect(Collectors.toMap(s -> (String) s.get("name"), s -> (Integer) s.get("port")));
        Map<String, Object> route = Charts.ofKind(Charts.documents(Charts.render(values)), "HTTPRoute").get(0);
        List<Map<String, Object>> rules = Charts.at(route, "spec", "rules");
        for (Map<String, Object> r : (List<Map<String, Object>>) table.get("routes")) {
            String prefix = ((String) r.get("prefix")).replaceAll("/$", "");
            Map<String, Object> rule = rules.stream().filter(x -> prefix.equals(Charts.at(x, "matches", "0", "path", "value")))
                    .findFirst().orElseThrow(() -> new AssertionError("no rule for " + prefix));
            assertThat((String) Charts.at(rule, "matches", "0", "path", "type")).isEqualTo("PathPrefix");
            assertThat((String) Charts.at(rule, "backendRefs", "0", "name")).isEqualTo(r.get("service"));
            assertThat((Integer) Charts.at(rule, "backendRefs", "0", "port")).isEqualTo(ports.get(r.get("service")));
            if (Boolean.TRUE.equals(r.get("websocket"))) {
                assertThat((String) Charts.at(rule, "timeouts", "request")).as("/ws: long timeouts").isEqualTo("3600s");
                assertThat((String) Charts.at(rule, "timeouts", "backendRequest")).isEqualTo("3600s");
            }
        }
        // plus, with the web app on (dev values), its `/` rule (WebChartTest)
        boolean web = Charts.documents(Charts.render(values)).stream()
                .anyMatch(d -> "Deployment".equals(d.get("kind")) && "web".equals(Charts.name(d)));
        assertThat(rules).hasSize(((List<?>) table.get("routes")).size() + (web ? 1 : 0));
        assertThat((Object) Charts.at(route, "spec", "sessionPersistence")).as("no sticky sessions").isNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theIngressOptionCarriesTheSameRoutes() {
        Map<String, Object> table = (Map<String, Object>) Charts.readYaml(Charts.repoRoot().resolve("deploy/gateway/routes.yaml"));
        Map<String, Object> ingress = Charts.ofKind(Charts.documents(Charts.render(Values.DEFAULT,
                Map.of("gateway.ingress.enabled", true))), "Ingress").get(0);
        List<Map<String, Object>> paths = Charts.at(ingress, "spec", "rules", "0", "http", "paths");
        assertThat(paths.stream().map(p -> (String) p.get("path")).toList()).containsExactlyInAnyOrderElementsOf(
                ((List<Map<String, Object>>) table.get("routes")).stream().map(r -> ((String) r.get("prefix")).replaceAll("/$", "")).toList());
    }

    /** The chart reads routes, topics and realm through symlinks into deploy/: one copy, nothing to keep in sync. */
    @Test
    void chartFilesAreTheDeployFilesNotCopies() throws Exception {
        Map<String, String> links = Map.of(
                "files/routes.yaml", "deploy/gateway/routes.yaml",
                "files/topics.yaml", "deploy/kafka/topics.yaml",
                "files/continuum-realm.json", "deploy/keycloak/continuum-realm.json");
        for (Map.Entry<String, String> e : links.entrySet()) {
            Path inChart = Charts.chart().resolve(e.getKey());
            Path source = Charts.repoRoot().resolve(e.getValue());
            assertThat(Files.isSymbolicLink(inChart)).as(e.getKey() + " must be a symlink to " + e.getValue()).isTrue();
            assertThat(inChart.toRealPath()).isEqualTo(source.toRealPath());
            assertThat(Files.readString(inChart)).isEqualTo(Files.readString(source));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void realmImportIsTheRealmFileAdaptedForTheCluster() {
        Map<String, Object> realmFile = (Map<String, Object>) Charts.readYaml(Charts.repoRoot().resolve("deploy/keycloak/continuum-realm.json"));
        Map<String, Object> imp = Charts.ofKind(Charts.documents(Charts.render(Values.DEFAULT)), "KeycloakRealmImport").get(0);
        Map<String, Object> realm = Charts.at(imp, "spec", "realm");
        Set<String> expectedKeys = new TreeSet<>(realmFile.keySet());
        expectedKeys.remove("users"); // demo users only with realmImport.demoUsers
        assertThat(new TreeSet<>(realm.keySet())).isEqualTo(expectedKeys);
        assertThat(realm.get("accessTokenLifespan")).isEqualTo(realmFile.get("accessTokenLifespan"));
        List<Map<String, Object>> clients = (List<Map<String, Object>>) realm.get("clients");
        Map<String, Object> service = clients.stream().filter(c -> "continuum-service".equals(c.get("clientId"))).findFirst().orElseThrow();
        assertThat(service.get("secret")).as("never the dev secret of the file").isEqualTo("${CONTINUUM_SERVICE_CLIENT_SECRET}");
        Map<String, Object> app = clients.stream().filter(c -> "continuum-app".equals(c.get("clientId"))).findFirst().orElseThrow();
        assertThat((String) Charts.at(app, "attributes", "backchannel.logout.url"))
                .isEqualTo("http://auth-service.continuum.svc:8081/api/auth/backchannel-logout");
        assertThat((List<String>) app.get("redirectUris")).noneMatch(u -> u.contains("localhost"));
    }
}
