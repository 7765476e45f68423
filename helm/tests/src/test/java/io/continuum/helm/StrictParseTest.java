package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.helm.Charts.Values;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.keycloak.representations.idm.RealmRepresentation;

/**
 * Every rendered object parses strictly: core and Gateway API kinds with the fabric8 model, Strimzi kinds with
 * {@code io.strimzi:api} 0.51.0, the Keycloak CRs against the operator's CRD schema (see src/test/resources/crds),
 * the imported realm against Keycloak's RealmRepresentation. "Strictly" = no field lands in a model's
 * additionalProperties (where fabric8 and Strimzi put what they do not know).
 */
class StrictParseTest {

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final Map<String, Class<? extends HasMetadata>> STRIMZI = Map.of(
            "Kafka", Kafka.class, "KafkaNodePool", KafkaNodePool.class, "KafkaTopic", KafkaTopic.class, "KafkaUser", KafkaUser.class);
    /** Kinds whose operator publishes no Java model reachable here; checked for apiVersion only (CloudNativePG). */
    static final Map<String, String> UNMODELLED = Map.of("Cluster", "postgresql.cnpg.io/v1");

    @ParameterizedTest
    @EnumSource(Values.class)
    void everyObjectParsesWithoutUnknownFields(Values values) {
        List<String> problems = new ArrayList<>();
        for (String text : Charts.documentTexts(Charts.render(values, Map.of("serviceMonitor.enabled", true, "gateway.ingress.enabled", true)))) {
            Map<String, Object> doc = Charts.documents(text).get(0);
            String kind = (String) doc.get("kind");
            String where = kind + " " + Charts.name(doc);
            if (kind.startsWith("Keycloak")) {
                problems.addAll(keycloakProblems(doc).stream().map(p -> where + p).toList());
                continue;
            }
            if (UNMODELLED.containsKey(kind)) {
                assertThat(doc.get("apiVersion")).as(where).isEqualTo(UNMODELLED.get(kind));
                continue;
            }
            Object parsed = STRIMZI.containsKey(kind)
                    ? SERIALIZATION.unmarshal(text, STRIMZI.get(kind))
                    : SERIALIZATION.unmarshal(text, KubernetesResource.class);
            assertThat(parsed).as(where).isInstanceOf(HasMetadata.class);
            assertThat(parsed.getClass().getSimpleName()).as("typed model of " + where).isEqualTo(kind);
            unknownFields(where, parsed, problems, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theCheckCatchesAnUnknownField() {
        List<String> problems = new ArrayList<>();
        Object dep = SERIALIZATION.unmarshal("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: x }
                spec:
                  replicas: 1
                  templat: {}
                """, KubernetesResource.class);
        unknownFields("Deployment x", dep, problems, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        assertThat(problems).singleElement().asString().contains("templat");

        Map<String, Object> kc = Charts.documents("""
                apiVersion: k8s.keycloak.org/v2alpha1
                kind: Keycloak
                metadata: { name: k }
                spec: { instances: 1, hostname: { hostnam: x }, proxy: { headers: sometimes } }
                """).get(0);
        assertThat(keycloakProblems(kc)).hasSize(2).anyMatch(p -> p.contains("hostnam")).anyMatch(p -> p.contains("sometimes"));
    }

    @SuppressWarnings("unchecked")
    static List<String> keycloakProblems(Map<String, Object> doc) {
        String kind = (String) doc.get("kind");
        Map<String, Object> crd = Charts.documents(readCrds()).stream()
                .filter(c -> kind.equals(Charts.at(c, "spec", "names", "kind"))).findFirst().orElseThrow();
        assertThat(doc.get("apiVersion")).isEqualTo("k8s.keycloak.org/" + Charts.at(crd, "spec", "versions", "0", "name"));
        Map<String, Object> schema = Charts.at(crd, "spec", "versions", "0", "schema", "openAPIV3Schema");
        List<String> problems = new ArrayList<>(CrdSchemaValidator.validate(doc, schema));
        if ("KeycloakRealmImport".equals(kind)) {
            try {
                ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
                strict.convertValue(Charts.at(doc, "spec", "realm"), RealmRepresentation.class);
            } catch (IllegalArgumentException e) {
                problems.add(" realm: " + e.getMessage());
            }
        }
        return problems;
    }

    private static String readCrds() {
        try {
            return java.nio.file.Files.readString(Path.of(StrictParseTest.class.getResource("/crds/keycloak-v2alpha1-excerpt.yaml").toURI()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Walks a fabric8/Strimzi model object and reports every non-empty additionalProperties map. */
    static void unknownFields(String path, Object node, List<String> problems, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object o : c) {
                unknownFields(path + "[" + i++ + "]", o, problems, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(path + "." + k, v, problems, seen));
            return;
        }
        String pkg = node.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8") && !pkg.startsWith("io.strimzi")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class || m.getReturnType().isPrimitive() || m.getReturnType().isEnum()) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(node);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
                continue;
            }
            unknownFields(path + "." + m.getName().substring(3), value, problems, seen);
        }
    }
}
