package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.helm.Charts.Values;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Everything the chart renders applies to the fabric8 mock API server in CRUD mode (custom kinds registered), reads
 * back unchanged, and a {@code helm upgrade}-style re-render with changed values applies as JSON merge patches (plus
 * creates and deletes) without touching immutable fields. The mock validates no schema (StrictParseTest does).
 */
@EnableKubernetesMockClient(crud = true)
class MockApiServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> CORE_GROUPS = Set.of("v1", "apps/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1");

    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeEach
    void registerCustomKindsAndConnect() {
        // the mock shares 2 busy cores with the rest of the build: generous timeouts (the default connect is 10 s)
        String url = server.url("/");
        client = server.createClient(b -> b.withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url)
                .withTrustCerts(true).withConnectionTimeout(120_000).withRequestTimeout(120_000).build()));
        for (Values v : Values.values()) {
            for (Map<String, Object> d : Charts.documents(Charts.render(v, Map.of("serviceMonitor.enabled", true)))) {
                if (!CORE_GROUPS.contains((String) d.get("apiVersion"))) {
                    server.expectCustomResource(context(d));
                }
            }
        }
    }

    /** Dev and production (defaults are applied by the upgrade test); between them every kind the chart has. */
    @Test
    void everyValueSetAppliesAndReadsBack() {
        for (Values values : List.of(Values.DEV, Values.PRODUCTION)) {
            String ns = "apply-" + values.name().toLowerCase();
            List<Map<String, Object>> docs = Charts.documents(Charts.render(values, Map.of("serviceMonitor.enabled", true)));
            for (Map<String, Object> d : docs) {
                create(ns, d);
            }
            for (Map<String, Object> d : docs) {
                GenericKubernetesResource live = get(ns, d);
                assertThat(live).as("%s %s in %s", d.get("kind"), Charts.name(d), ns).isNotNull();
                assertThat(JSON.convertValue(live.getAdditionalProperties().get("spec"), Object.class))
                        .as("spec of %s %s", d.get("kind"), Charts.name(d)).isEqualTo(JSON.convertValue(d.get("spec"), Object.class));
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void anUpgradeWithChangedValuesIsAValidPatch() {
        String ns = "upgrade";
        Map<String, Map<String, Object>> before = byKey(Charts.documents(Charts.render(Values.DEFAULT)));
        before.values().forEach(d -> create(ns, d));

        Map<String, Map<String, Object>> after = byKey(Charts.documents(Charts.render(Values.DEFAULT, Map.of(
                "global.image.tag", "0.2.0",
                "services.session-service.autoscaling.enabled", true,
                "services.billing-provider-simulator.enabled", true,
                "services.recommendation-service.enabled", false,
                "serviceDefaults.resources.limits.memory", "640Mi"))));

        int patched = 0;
        for (Map.Entry<String, Map<String, Object>> e : after.entrySet()) {
            Map<String, Object> old = before.get(e.getKey());
            if (old == null) {
                create(ns, e.getValue());
                continue;
            }
            if ("Deployment".equals(old.get("kind"))) {
                assertThat((Object) Charts.at(e.getValue(), "spec", "selector"))
                        .as("Deployment selectors are immutable: %s", e.getKey()).isEqualTo(Charts.at(old, "spec", "selector"));
            }
            List<Map<String, Object>> patch = new ArrayList<>();
            jsonPatch("", old, e.getValue(), patch);
            if (!patch.isEmpty()) {
                client.genericKubernetesResources(context(old)).inNamespace(ns).withName(Charts.name(old))
                        .patch(PatchContext.of(PatchType.JSON), toJson(patch));
                patched++;
            }
        }
        for (String gone : new TreeSet<>(before.keySet())) {
            if (!after.containsKey(gone)) {
                Map<String, Object> d = before.get(gone);
                client.genericKubernetesResources(context(d)).inNamespace(ns).withName(Charts.name(d)).delete();
            }
        }
        assertThat(patched).as("objects changed by the new values").isGreaterThanOrEqualTo(5);
        for (Map<String, Object> d : after.values()) {
            GenericKubernetesResource live = get(ns, d);
            assertThat(live).as(key(d)).isNotNull();
            assertThat(JSON.convertValue(live.getAdditionalProperties().get("spec"), Object.class))
                    .as("spec of %s after the upgrade", key(d)).isEqualTo(JSON.convertValue(d.get("spec"), Object.class));
        }
        for (String gone : before.keySet()) {
            if (!after.containsKey(gone)) {
                assertThat(get(ns, before.get(gone))).as("%s deleted", gone).isNull();
            }
        }
        Map<String, Object> session = after.get("Deployment/session-service");
        assertThat((Object) Charts.at(session, "spec", "replicas")).as("HPA owns the replicas now").isNull();
        assertThat((String) Charts.at(session, "spec", "template", "spec", "containers", "0", "image")).endsWith(":0.2.0");
        assertThat(after).containsKey("HorizontalPodAutoscaler/session-service").doesNotContainKey("Deployment/recommendation-service");
    }

    private void create(String ns, Map<String, Object> d) {
        // sent as rendered (generic): a typed model would post to the API version its class is annotated with
        GenericKubernetesResource g = JSON.convertValue(d, GenericKubernetesResource.class);
        g.getMetadata().setNamespace(ns);
        client.genericKubernetesResources(context(d)).inNamespace(ns).resource(g).create();
    }

    private GenericKubernetesResource get(String ns, Map<String, Object> d) {
        return client.genericKubernetesResources(context(d)).inNamespace(ns).withName(Charts.name(d)).get();
    }

    /** The REST path of a rendered kind: group, version, plural (lower-case kind + s, or the irregular plurals). */
    static CustomResourceDefinitionContext context(Map<String, Object> d) {
        String apiVersion = (String) d.get("apiVersion");
        String kind = (String) d.get("kind");
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        String lower = kind.toLowerCase();
        String plural = lower.endsWith("y") ? lower.substring(0, lower.length() - 1) + "ies"
                : lower.endsWith("s") ? lower + "es" : lower + "s";
        return new CustomResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withScope("Namespaced").build();
    }

    static String key(Map<String, Object> d) {
        return d.get("kind") + "/" + Charts.name(d);
    }

    static Map<String, Map<String, Object>> byKey(List<Map<String, Object>> docs) {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        docs.forEach(d -> m.put(key(d), d));
        return m;
    }

    /**
     * RFC 6902 operations turning {@code from} into {@code to}: maps recurse, lists and scalars are replaced whole
     * (what a merge patch does, written as JSON Patch because the mock server merges lists of a merge patch).
     */
    static void jsonPatch(String path, Object from, Object to, List<Map<String, Object>> ops) {
        if (from instanceof Map<?, ?> f && to instanceof Map<?, ?> t) {
            for (Object k : f.keySet()) {
                if (!t.containsKey(k)) {
                    ops.add(Map.of("op", "remove", "path", path + "/" + escape((String) k)));
                }
            }
            for (Map.Entry<?, ?> e : t.entrySet()) {
                String p = path + "/" + escape((String) e.getKey());
                if (!f.containsKey(e.getKey())) {
                    ops.add(Map.of("op", "add", "path", p, "value", e.getValue()));
                } else {
                    jsonPatch(p, f.get(e.getKey()), e.getValue(), ops);
                }
            }
        } else if (!Objects.equals(from, to)) {
            ops.add(Map.of("op", "replace", "path", path, "value", to));
        }
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
