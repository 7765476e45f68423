package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.events.EventType;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.helm.Charts.Values;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kafka access of each service is declared ONCE, in the chart's values ({@code services.<name>.kafka}); the
 * KafkaUser ACLs are rendered from it. This test ties the declaration to the code, so neither can drift:
 * <ul>
 * <li>produced topics: every {@code outbox.append([connection, ]EventTypes.X, ...)} in the service's sources publishes on
 * {@code EventTypes.X.topic()}, and so does every {@code outbox.event(EventTypes.X, ...)} (an event made for
 * {@code Outbox.appendAll}, which writes a batch of them);</li>
 * <li>touched topics: {@code Topics.X} constants, topic names in the service's config (application.properties,
 * {@code @WithDefault} strings) and the revocation topic every service reads through libs/platform;</li>
 * <li>consumer groups: the {@code @WithDefault} of every {@code group()} config method.</li>
 * </ul>
 * The declaration must produce what the code produces, and name exactly the topics and groups the code touches.
 */
class KafkaAccessTest {

    /**
     * {@code outbox.append(EventTypes.X, ...)}, {@code outbox.append(connection, EventTypes.X, ...)} on a pool
     * connection, or {@code outbox.event(EventTypes.X, ...)} for a batch written by {@code appendAll}.
     */
    static final Pattern OUTBOX_APPEND = Pattern.compile("\\.(?:append|event)\\(\\s*(?:\\w+\\s*,\\s*)?EventTypes\\.([A-Z_]+)");
    static final Pattern TOPICS_CONSTANT = Pattern.compile("\\bTopics\\.([A-Z_]+)\\b");
    static final Pattern GROUP_DEFAULT = Pattern.compile("@WithDefault\\(\"([^\"]+)\"\\)\\s*(?:/\\*.*?\\*/\\s*)?String\\s+group\\(\\)", Pattern.DOTALL);
    static final Pattern REVOCATION_TOPIC_DEFAULT = Pattern.compile("@WithDefault\\(\"([^\"]+)\"\\)\\s*String\\s+topic\\(\\)");

    record Access(Set<String> produces, Set<String> topics, Set<String> groups) { }

    @Test
    void declaredAccessMatchesTheCodeOfEveryService() throws Exception {
        Map<String, Object> services = Charts.at(Charts.readYaml(Charts.chart().resolve("values.yaml")), "services");
        Set<String> allTopics = topicNames();
        List<String> checked = new ArrayList<>();
        for (String service : services.keySet()) {
            Path module = Charts.repoRoot().resolve(service);
            if (!Files.isDirectory(module.resolve("src/main"))) {
                continue; // a module another branch adds (billing-provider-simulator): checked once it is here
            }
            Access declared = declared(services, service);
            Access code = fromCode(module, allTopics);
            assertThat(declared.produces()).as("%s: topics its outbox publishes on", service).containsAll(code.produces());
            assertThat(declared.topics()).as("%s: topics declared (values) vs topics its code uses", service)
                    .containsExactlyInAnyOrderElementsOf(code.topics());
            assertThat(declared.groups()).as("%s: consumer groups declared vs in its config", service)
                    .containsExactlyInAnyOrderElementsOf(code.groups());
            checked.add(service);
        }
        assertThat(checked).contains("auth-service", "session-service", "notification-service", "billing-sync-service",
                "recommendation-service");
    }

    @Test
    @SuppressWarnings("unchecked")
    void renderedKafkaUsersGrantExactlyTheDeclaredAccess() {
        Map<String, Object> services = Charts.at(Charts.readYaml(Charts.chart().resolve("values.yaml")), "services");
        List<Map<String, Object>> users = Charts.ofKind(Charts.documents(Charts.render(Values.DEV)), "KafkaUser");
        assertThat(users).isNotEmpty();
        for (Map<String, Object> user : users) {
            String service = Charts.name(user).substring(Charts.RELEASE.length() + 1);
            Access declared = declared(services, service);
            Set<String> write = new TreeSet<>();
            Set<String> read = new TreeSet<>();
            Set<String> groups = new TreeSet<>();
            for (Map<String, Object> acl : (List<Map<String, Object>>) Charts.at(user, "spec", "authorization", "acls")) {
                String type = Charts.at(acl, "resource", "type");
                String name = Charts.at(acl, "resource", "name");
                List<String> ops = (List<String>) acl.get("operations");
                assertThat((String) Charts.at(acl, "resource", "patternType")).isEqualTo("literal");
                if ("group".equals(type)) {
                    assertThat(ops).containsExactly("Read");
                    groups.add(name);
                } else if (ops.contains("Write")) {
                    assertThat(ops).containsExactlyInAnyOrder("Write", "Describe");
                    write.add(name);
                } else {
                    assertThat(ops).containsExactlyInAnyOrder("Read", "Describe");
                    read.add(name);
                }
            }
            assertThat(write).as(service).isEqualTo(new TreeSet<>(declared.produces()));
            Set<String> all = new TreeSet<>(write);
            all.addAll(read);
            assertThat(all).as(service).isEqualTo(new TreeSet<>(declared.topics()));
            assertThat(groups).as(service).isEqualTo(new TreeSet<>(declared.groups()));
        }
    }

    @SuppressWarnings("unchecked")
    static Access declared(Map<String, Object> services, String service) {
        Map<String, Object> kafka = Charts.at(services, service, "kafka");
        Set<String> produces = new TreeSet<>((List<String>) kafka.get("produces"));
        Set<String> topics = new TreeSet<>(produces);
        Set<String> groups = new TreeSet<>();
        for (Map<String, Object> c : (List<Map<String, Object>>) kafka.get("consumes")) {
            topics.add((String) c.get("topic"));
            if (c.get("group") != null) {
                groups.add((String) c.get("group"));
            }
        }
        return new Access(produces, topics, groups);
    }

    static Access fromCode(Path module, Set<String> allTopics) throws Exception {
        String java = readAll(module.resolve("src/main/java"), ".java");
        String props = readAll(module.resolve("src/main/resources"), ".properties").lines()
                .filter(l -> !l.startsWith("%")).reduce("", (a, b) -> a + b + "\n");
        Set<String> produces = new TreeSet<>();
        Matcher m = OUTBOX_APPEND.matcher(java);
        while (m.find()) {
            produces.add(((EventType<?>) EventTypes.class.getField(m.group(1)).get(null)).topic());
        }
        Set<String> topics = new TreeSet<>(produces);
        m = TOPICS_CONSTANT.matcher(java);
        while (m.find()) {
            topics.add((String) Topics.class.getField(m.group(1)).get(null));
        }
        for (String text : List.of(java, props)) {
            for (String topic : allTopics) {
                if (Pattern.compile("[\"=,]\\s*" + Pattern.quote(topic) + "\\s*[\",\\n]").matcher(text).find()) {
                    topics.add(topic);
                }
            }
        }
        // the revoked-session set of libs/platform: on in every module built on it unless turned off
        boolean onPlatform = Files.readString(module.resolve("pom.xml")).contains("<artifactId>continuum-platform</artifactId>");
        if (onPlatform && !props.contains("continuum.revocation.enabled=false")) {
            topics.add(revocationTopic());
        }
        // the entitlements read model of libs/platform, off unless a service turns it on
        if (props.contains("continuum.entitlements.enabled=true")) {
            topics.add(platformTopicDefault("entitlement/EntitlementsConfig.java"));
        }
        Set<String> groups = new TreeSet<>();
        m = GROUP_DEFAULT.matcher(java);
        while (m.find()) {
            groups.add(m.group(1));
        }
        return new Access(produces, topics, groups);
    }

    static String revocationTopic() throws IOException {
        return platformTopicDefault("revocation/RevocationConfig.java");
    }

    /** The {@code @WithDefault} of {@code String topic()} in a config interface of libs/platform. */
    static String platformTopicDefault(String config) throws IOException {
        String src = Files.readString(Charts.repoRoot().resolve(
                "libs/platform/src/main/java/io/continuum/platform/" + config));
        Matcher m = REVOCATION_TOPIC_DEFAULT.matcher(src);
        assertThat(m.find()).as(config + " topic() default").isTrue();
        return m.group(1);
    }

    @SuppressWarnings("unchecked")
    static Set<String> topicNames() {
        List<Map<String, Object>> topics = (List<Map<String, Object>>) Charts.readYaml(Charts.repoRoot().resolve("deploy/kafka/topics.yaml"));
        Set<String> names = new LinkedHashSet<>();
        topics.forEach(t -> names.add((String) t.get("name")));
        return names;
    }

    static String readAll(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        try (Stream<Path> files = Files.walk(dir)) {
            StringBuilder sb = new StringBuilder();
            for (Path p : files.filter(f -> f.toString().endsWith(suffix)).sorted().toList()) {
                sb.append(Files.readString(p)).append('\n');
            }
            return sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
