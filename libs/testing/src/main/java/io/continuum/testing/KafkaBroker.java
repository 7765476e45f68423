package io.continuum.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A real, private Kafka broker (KRaft, single node) in a child JVM, for tests that must stop and restart the
 * broker while the system under test keeps writing. Uses the same jars and server.properties template as the
 * local stack (deploy/kafka); its data survives {@link #stop()} so a restart keeps every acknowledged record.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaBroker.class);

    private final Path dir;
    private final int port;
    private final int controllerPort;
    /** Second listener, SASL_PLAINTEXT with SCRAM-SHA-512 (0 = none); see {@link #startNewWithScram}. */
    private int scramPort;
    private String scramUser;
    private String scramPassword;
    private Process process;

    private KafkaBroker(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Formats a fresh broker on free ports and starts it. */
    public static KafkaBroker startNew() {
        try {
            Path dir = Files.createDirectories(RepoPaths.runDir().resolve("test-kafka"))
                    .resolve("broker-" + System.currentTimeMillis());
            KafkaBroker broker = new KafkaBroker(dir, freePort(), freePort());
            broker.format();
            broker.start();
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare a test Kafka broker", e);
        }
    }

    /**
     * Like {@link #startNew()}, plus a second listener that authenticates clients with SCRAM-SHA-512 (as Strimzi's
     * {@code scram-sha-512} listener does, without TLS) and knows one user, created at format time.
     */
    public static KafkaBroker startNewWithScram(String user, String password) {
        try {
            Path dir = Files.createDirectories(RepoPaths.runDir().resolve("test-kafka"))
                    .resolve("broker-scram-" + System.currentTimeMillis());
            KafkaBroker broker = new KafkaBroker(dir, freePort(), freePort());
            broker.scramPort = freePort();
            broker.scramUser = user;
            broker.scramPassword = password;
            broker.format();
            broker.start();
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare a test Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL_PLAINTEXT/SCRAM-SHA-512 listener of a broker made by {@link #startNewWithScram}. */
    public String scramBootstrapServers() {
        if (scramPort == 0) {
            throw new IllegalStateException("not a SCRAM broker: use KafkaBroker.startNewWithScram");
        }
        return "127.0.0.1:" + scramPort;
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        process = java(List.of("-Xmx384m", "kafka.Kafka", dir.resolve("server.properties").toString()), dir.resolve("broker.log"));
        Instant deadline = Instant.now().plusSeconds(60);
        while (!LocalStack.portOpen("127.0.0.1", port) || (scramPort != 0 && !LocalStack.portOpen("127.0.0.1", scramPort))) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("test Kafka broker did not start; see " + dir.resolve("broker.log"));
            }
            pause(Duration.ofMillis(100));
        }
        LOG.infof("Test Kafka broker up on %s (%s)", bootstrapServers(), dir);
    }

    /** Kills the broker process (SIGKILL: like a crash, nothing flushed politely). */
    public synchronized void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
            LOG.infof("Test Kafka broker on %s stopped", bootstrapServers());
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void format() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        String template = Files.readString(RepoPaths.root().resolve("deploy/kafka/server.properties"));
        Files.writeString(dir.resolve("server.properties"), template
                .replace("@PORT@", Integer.toString(port))
                .replace("@CONTROLLER_PORT@", Integer.toString(controllerPort))
                .replace("@LOG_DIR@", dir.resolve("data").toString()));
        List<String> format = new java.util.ArrayList<>(List.of("kafka.tools.StorageTool", "format", "-t",
                "continuum-test-cluster-0001", "-c", dir.resolve("server.properties").toString()));
        if (scramPort != 0) {
            // later keys win: the SASL listener beside the template's PLAINTEXT one (still the inter-broker listener)
            Files.writeString(dir.resolve("server.properties"), String.join("\n", "",
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort
                            + ",SASL_PLAINTEXT://127.0.0.1:" + scramPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + scramPort,
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                    "listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512",
                    "sasl.enabled.mechanisms=SCRAM-SHA-512",
                    "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config="
                            + "org.apache.kafka.common.security.scram.ScramLoginModule required;", ""), java.nio.file.StandardOpenOption.APPEND);
            format.addAll(List.of("--add-scram",
                    "SCRAM-SHA-512=[name=" + scramUser + ",password=" + scramPassword + "]"));
        }
        Process p = java(format, dir.resolve("format.log"));
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("formatting the test broker failed; see " + dir.resolve("format.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Process java(List<String> args, Path log) {
        try {
            List<String> command = new java.util.ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath()));
            command.addAll(args);
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot launch " + args, e);
        }
    }

    /** The broker's classpath from deploy/kafka/pom.xml, resolved once per run directory. */
    private static synchronized String classpath() throws IOException {
        Path file = RepoPaths.runDir().resolve("test-kafka/classpath.txt");
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            Path root = RepoPaths.root();
            LocalStack.run(List.of(root.resolve("mvnw").toString(), "-q", "-B", "-f", root.resolve("deploy/kafka/pom.xml").toString(),
                    "dependency:build-classpath", "-Dmdep.outputFile=" + file));
        }
        return Files.readString(file).trim();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis()); // polling a port while a child process boots
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
