package io.continuum.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The real PostgreSQL, Kafka and Keycloak of the local stack. Reuses them when they are up; otherwise runs
 * {@code deploy/local/up.sh --infra} once per test JVM, which starts only what is missing.
 */
public final class LocalStack {

    private static final Logger LOG = Logger.getLogger(LocalStack.class);

    public static final String KEYCLOAK_URL = env("CONTINUUM_KEYCLOAK_URL", "http://localhost:8180");
    public static final String KAFKA_BOOTSTRAP = env("CONTINUUM_KAFKA_BOOTSTRAP", "localhost:9092");
    public static final String GATEWAY_URL = env("CONTINUUM_GATEWAY_URL", "http://localhost:8080");
    public static final String REALM = "continuum";

    private static boolean ready;

    private LocalStack() {}

    /** Blocks until PostgreSQL, Kafka and Keycloak answer; starts them if needed. */
    public static synchronized void ensureInfra() {
        if (ready) {
            return;
        }
        if (!infraUp()) {
            LOG.info("Local infrastructure not (fully) up: running deploy/local/up.sh --infra");
            run(List.of("bash", RepoPaths.root().resolve("deploy/local/up.sh").toString(), "--infra"));
            if (!infraUp()) {
                throw new IllegalStateException("deploy/local/up.sh --infra finished but the infrastructure is not reachable; see "
                        + RepoPaths.runDir().resolve("logs"));
            }
        }
        ready = true;
    }

    /** Blocks until the whole stack (infrastructure, services, gateway) answers; runs up.sh when it does not. */
    public static synchronized void ensureFullStack() {
        if (!fullStackUp()) {
            LOG.info("Local stack not (fully) up: running deploy/local/up.sh");
            run(List.of("bash", RepoPaths.root().resolve("deploy/local/up.sh").toString()));
        }
        ready = infraUp();
    }

    private static boolean fullStackUp() {
        for (int port : new int[] {8080, 8081, 8082, 8083, 8084, 8085}) {
            if (!portOpen("127.0.0.1", port)) {
                return false;
            }
        }
        return infraUp();
    }

    static boolean infraUp() {
        return portOpen("127.0.0.1", 5432) && portOpen("127.0.0.1", 9092) && keycloakReady();
    }

    public static boolean portOpen(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean keycloakReady() {
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(KEYCLOAK_URL + "/realms/" + REALM + "/.well-known/openid-configuration"))
                            .timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(RepoPaths.root().toFile()).inheritIO().start();
            int code = p.waitFor();
            if (code != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + code);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
