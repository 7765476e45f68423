package io.continuum.e2e.drills;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.client.ContinuumClient;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStack;
import io.continuum.testing.RepoPaths;
import io.continuum.testing.TestUsers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every fault drill needs: the local stack's own scripts (so a drill breaks and restores exactly what
 * {@code deploy/local/up.sh} runs), a hard kill of one part, SDK devices, and plain HTTP probes through the gateway.
 * Every drill extends it.
 */
abstract class Drill {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * For {@link EventReader#awaitUntil}: the state events read name {@code ops} distinct op ids. Not a count of
     * records: the relay resends a batch it published but could not delete (same event ids), and those copies would
     * end a counted read before the last events.
     */
    static java.util.function.Predicate<List<EventReader.Received>> everyOp(long ops) {
        return read -> read.stream().map(r -> r.event().data().path("opId").asText()).distinct().count() >= ops;
    }

    /** The SDK devices' stores (queue, state) of one drill. */
    @TempDir
    Path disk;

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    /** Runs deploy/local/&lt;script&gt; (same CONTINUUM_RUN_DIR as the stack) and waits for it. */
    static void script(String name, String... args) throws Exception {
        script(java.util.Map.of(), name, args);
    }

    /** The same with extra environment variables (what up.sh passes on to the services it starts). */
    static void script(java.util.Map<String, String> env, String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(RepoPaths.root().resolve("deploy/local/" + name).toString());
        cmd.addAll(List.of(args));
        run(cmd, env);
    }

    static void run(List<String> cmd) throws Exception {
        run(cmd, java.util.Map.of());
    }

    private static void run(List<String> cmd, java.util.Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd + " did not finish in 5 minutes");
        }
        assertThat(p.exitValue()).as(cmd + " exit code").isZero();
    }

    /** SIGKILL to a part up.sh started (its process group: up.sh starts every part in its own session). */
    static void kill(String part) throws Exception {
        Path pidFile = RepoPaths.runDir().resolve("pids/" + part + ".pid");
        String pid = Files.readString(pidFile).trim().split("\\s+")[0];
        run(List.of("kill", "-KILL", "--", "-" + pid));
        // gone, or a zombie: only then does up.sh see the part as stopped (its port closes a moment earlier)
        Path stat = Path.of("/proc", pid, "stat");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                String s = Files.readString(stat);
                char state = s.substring(s.lastIndexOf(')') + 2).charAt(0);
                return state == 'Z' || state == 'X';
            } catch (java.io.IOException gone) {
                return true;
            }
        });
    }

    /** A started SDK device of {@code user} signed in with its password, its store under {@code disk}. */
    ContinuumClient device(TestUsers.User user, String id, String kind, UnaryOperator<ContinuumClient.Builder> more) {
        ContinuumClient.Builder b = ContinuumClient.builder().gateway(LocalStack.GATEWAY_URL).keycloak(LocalStack.KEYCLOAK_URL)
                .device(id, kind, "java", kind).store(disk.resolve(id)).backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        return more.apply(b).build().signInWithPassword(user.username(), user.password()).start();
    }

    /** GET through the gateway with a bearer token; never waits more than {@code timeout} for the answer. */
    static HttpResponse<String> get(String path, String token, String deviceId, Duration timeout) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(LocalStack.GATEWAY_URL + path)).timeout(timeout)
                .header("Authorization", "Bearer " + token).header("X-Device-Id", deviceId).GET().build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for {@code done}; on time-out fails with {@code state()} (what each device shows), not a bare time-out. */
    static void until(Duration atMost, java.util.concurrent.Callable<Boolean> done, java.util.function.Supplier<String> state) {
        try {
            org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(done);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not reached within " + atMost + ": " + state.get(), e);
        }
    }

    static String show(String name, ContinuumClient d) {
        return String.format("%s{online=%b queued=%d rejected=%d revision=%d gold=%d}", name, d.online(), d.queued(),
                d.rejectedOps().size(), d.state().revision(), d.state().wallet("gold"));
    }
}
