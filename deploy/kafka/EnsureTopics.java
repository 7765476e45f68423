/*
 * Creates or updates the topics declared in deploy/kafka/topics.yaml.
 * Idempotent: creates missing topics, raises partition counts, sets the listed
 * configs; never deletes a topic, never lowers partitions (warns instead).
 *
 * Runs with the local broker's classpath (deploy/kafka/pom.xml):
 *   java -cp "$(cat cp.txt)" deploy/kafka/EnsureTopics.java deploy/kafka/topics.yaml 127.0.0.1:9092 [waitSeconds]
 * Also waits (up to waitSeconds, default 60) until the broker answers, so it
 * doubles as the broker's readiness check. Exit 0 = every topic as declared.
 */
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.File;
import java.util.*;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

public class EnsureTopics {
    record Topic(String name, int partitions, Map<String, String> config) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EnsureTopics <topics.yaml> <bootstrap> [waitSeconds]");
            System.exit(2);
        }
        List<Topic> topics = read(new File(args[0]));
        int waitSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(props)) {
            int brokers = awaitBrokers(admin, waitSeconds);
            short rf = (short) Math.min(3, brokers);
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (Topic t : topics) {
                if (!existing.contains(t.name())) {
                    try {
                        admin.createTopics(List.of(new NewTopic(t.name(), t.partitions(), rf).configs(t.config())))
                                .all().get(30, TimeUnit.SECONDS);
                        System.out.printf("  topic %-24s created (%d partitions, rf %d)%n", t.name(), t.partitions(), rf);
                        continue;
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) throw e;
                    }
                }
                update(admin, t);
            }
        }
    }

    static void update(Admin admin, Topic t) throws Exception {
        List<String> changes = new ArrayList<>();
        TopicDescription d = admin.describeTopics(List.of(t.name())).allTopicNames().get(30, TimeUnit.SECONDS).get(t.name());
        int current = d.partitions().size();
        if (current < t.partitions()) {
            admin.createPartitions(Map.of(t.name(), NewPartitions.increaseTo(t.partitions()))).all().get(30, TimeUnit.SECONDS);
            changes.add("partitions " + current + " -> " + t.partitions());
        } else if (current > t.partitions()) {
            System.out.printf("  WARNING: topic %s has %d partitions, declared %d (Kafka cannot lower it; left as is)%n",
                    t.name(), current, t.partitions());
        }
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, t.name());
        Config cfg = admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res);
        List<AlterConfigOp> ops = new ArrayList<>();
        for (Map.Entry<String, String> e : t.config().entrySet()) {
            ConfigEntry ce = cfg.get(e.getKey());
            boolean explicit = ce != null && ce.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
            if (!explicit || !Objects.equals(ce.value(), e.getValue())) {
                ops.add(new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET));
                changes.add(e.getKey() + "=" + e.getValue());
            }
        }
        if (!ops.isEmpty()) {
            admin.incrementalAlterConfigs(Map.of(res, ops)).all().get(30, TimeUnit.SECONDS);
        }
        System.out.printf("  topic %-24s %s%n", t.name(), changes.isEmpty() ? "up to date" : "updated: " + String.join(", ", changes));
    }

    static int awaitBrokers(Admin admin, int waitSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                int n = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                if (n > 0) return n;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(250);
        }
        System.err.println("Kafka did not answer within " + waitSeconds + " s" + (last == null ? "" : ": " + last));
        System.exit(3);
        return 0;
    }

    static List<Topic> read(File file) throws Exception {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file);
        if (root == null || !root.isArray()) throw new IllegalArgumentException(file + ": expected a YAML list of topics");
        List<Topic> topics = new ArrayList<>();
        for (JsonNode n : root) {
            String name = n.path("name").asText(null);
            if (name == null || name.isBlank()) throw new IllegalArgumentException(file + ": a topic without name");
            int partitions = n.path("partitions").asInt(1);
            Map<String, String> config = new LinkedHashMap<>();
            n.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            topics.add(new Topic(name, partitions, config));
        }
        return topics;
    }
}
