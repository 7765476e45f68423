package io.continuum.helm;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chart under test and its renderings. {@code helm template} runs in the embedded Helm of helm-java (no helm
 * binary, no cluster); renderings are cached per value set because several test classes read the same ones.
 */
final class Charts {

    static final String RELEASE = "continuum";
    static final String NAMESPACE = "continuum";
    /** The Kubernetes version rendered for (the chart needs >= 1.30, as Strimzi 0.51 does). */
    static final String KUBE_VERSION = "1.31.0";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The value sets every check runs on: chart defaults, the dev file, the production file. */
    enum Values {
        DEFAULT(null), DEV("values-dev.yaml"), PRODUCTION("values-production.yaml");

        final String file;

        Values(String file) {
            this.file = file;
        }
    }

    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private Charts() {
    }

    /** The repository root: from Maven ({@code continuum.repo.root}) or by walking up to the chart. */
    static Path repoRoot() {
        String prop = System.getProperty("continuum.repo.root");
        if (prop != null && Files.isRegularFile(Path.of(prop, "helm/continuum/Chart.yaml"))) {
            return Path.of(prop).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("helm/continuum/Chart.yaml"))) {
                return p;
            }
        }
        throw new IllegalStateException("helm/continuum not found above " + Path.of("").toAbsolutePath());
    }

    static Path chart() {
        return repoRoot().resolve("helm/continuum");
    }

    static Helm helm() {
        return new Helm(chart());
    }

    /** {@code helm template} of the chart with one of the value files and extra {@code --set}s. */
    static String render(Values values, Map<String, Object> sets) {
        String key = values + " " + sets;
        return CACHE.computeIfAbsent(key, k -> {
            TemplateCommand t = helm().template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
            if (values.file != null) {
                t = t.withValuesFile(chart().resolve(values.file));
            }
            for (Map.Entry<String, Object> e : sets.entrySet()) {
                t = t.set(e.getKey(), e.getValue());
            }
            return t.call();
        });
    }

    static String render(Values values) {
        return render(values, Map.of());
    }

    /** The rendered documents as generic maps (empty documents dropped). */
    static List<Map<String, Object>> documents(String rendered) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String doc : rendered.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                continue;
            }
            try {
                Map<String, Object> m = YAML.readValue(doc, new TypeReference<LinkedHashMap<String, Object>>() { });
                if (m != null) {
                    out.add(m);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("rendered document does not parse:\n" + doc, e);
            }
        }
        return out;
    }

    /** Each rendered document as YAML text, in order (for typed parsing). */
    static List<String> documentTexts(String rendered) {
        return documents(rendered).stream().map(m -> {
            try {
                return YAML.writeValueAsString(m);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... path) {
        Object cur = node;
        for (String p : path) {
            if (cur instanceof Map<?, ?> m) {
                cur = m.get(p);
            } else if (cur instanceof List<?> l) {
                cur = l.get(Integer.parseInt(p));
            } else {
                return null;
            }
        }
        return (T) cur;
    }

    static String name(Map<String, Object> doc) {
        return at(doc, "metadata", "name");
    }

    /** A YAML file of the repository as a generic tree. */
    static Object readYaml(Path file) {
        try {
            return YAML.readValue(file.toFile(), Object.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
