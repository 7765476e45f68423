package io.continuum.e2e.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.continuum.client.ContinuumClient;
import io.continuum.testing.ThrowAwayUsers;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One user action is one trace across the running services: session-service and notification-service are restarted
 * by {@code up.sh} with tracing on (the one setting docs/operations.md names: an OTLP endpoint), exporting to an
 * OTLP/HTTP receiver inside this test; a phone credits its wallet through the gateway and the TV gets the frame. The
 * op's trace must hold, under one trace id, the write request (session-service), the outbox relay's publish, the
 * ingest's consume (notification-service, child of the publish) and the frame push (child of the consume). A client
 * that sends its own {@code traceparent} through the gateway gets the service's span as the child of its own.
 *
 * <p>Tagged {@code drill}: it restarts two services of the shared stack, and restarts them again without tracing in a
 * {@code finally}.
 */
@Tag("drill")
class TraceDrill extends Drill {

    /** One exported span, as the receiver decoded it. */
    record Received(String service, String traceId, String spanId, String parentId, String name, String kind) {
    }

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("drill-trace");

    final List<Received> spans = new CopyOnWriteArrayList<>();
    /** What the receiver could not read (shown when the trace is not found). */
    final List<String> receiveErrors = new CopyOnWriteArrayList<>();

    @Test
    void oneOpIsOneConnectedTraceAcrossSessionAndNotificationService() throws Exception {
        HttpServer receiver = receiver();
        String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort();
        Map<String, String> tracing = Map.of("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", endpoint,
                "QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf",
                "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
        var user = USERS.get("drill-trace");
        String run = UUID.randomUUID().toString().substring(0, 8);
        ContinuumClient phone = null;
        ContinuumClient tv = null;
        try {
            restartTraced(tracing);
            phone = device(user, "phone-" + run, "phone", b -> b);
            tv = device(user, "tv-" + run, "tv", b -> b);
            ContinuumClient p = phone;
            ContinuumClient t = tv;
            await().atMost(Duration.ofSeconds(60)).until(() -> p.online() && t.online());
            phone.credit("gold", 7, "traced");
            await().atMost(Duration.ofSeconds(30)).until(() -> t.state().wallet("gold") == 7);

            Drill.until(Duration.ofSeconds(30), () -> opTrace().isPresent(), () -> "no connected trace yet; receive errors " + receiveErrors.stream().distinct().limit(3).toList() + "; spans received: "
                    + spans.stream().map(s -> s.service() + ":" + s.kind() + ":" + s.name()).distinct().toList());
            List<Received> trace = opTrace().orElseThrow();
            Received write = trace.stream().filter(s -> s.name().equals("POST /api/state/ops")).findFirst().orElseThrow();
            Received publish = one(trace, "session-service", "state.events publish");
            Received consume = one(trace, "notification-service", "state.events consume");
            Received push = trace.stream().filter(s -> s.name().equals("frame push") && s.parentId().equals(consume.spanId()))
                    .findFirst().orElseThrow();
            System.out.printf("%ntrace drill: one op, trace %s: %s%n", write.traceId(), trace.stream()
                    .map(s -> s.service() + " " + s.kind() + " '" + s.name() + "'").collect(Collectors.joining(" → ")));
            assertThat(write.service()).isEqualTo("session-service");
            assertThat(publish.kind()).isEqualTo("SPAN_KIND_PRODUCER");
            assertThat(consume.kind()).isEqualTo("SPAN_KIND_CONSUMER");
            assertThat(consume.parentId()).as("the consume continues the relay's publish").isEqualTo(publish.spanId());
            assertThat(push.service()).isEqualTo("notification-service");
            assertThat(ancestors(trace, publish)).as("the publish descends from the write request").contains(write.spanId());

            // a client that starts the trace itself: the gateway forwards its traceparent and the service continues it
            String clientTrace = UUID.randomUUID().toString().replace("-", ""); // 32 hex digits
            String clientSpan = "00f067aa0ba902b7";
            var answer = Drill.HTTP.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(io.continuum.testing.LocalStack.GATEWAY_URL + "/api/state/snapshot"))
                    .header("Authorization", "Bearer " + user.signIn().accessToken())
                    .header("traceparent", "00-" + clientTrace + "-" + clientSpan + "-01").GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            assertThat(answer.statusCode()).isEqualTo(200);
            // wait for the server span itself: its SQL child ends first and may be exported in an earlier batch
            Drill.until(Duration.ofSeconds(30), () -> spans.stream()
                            .anyMatch(sp -> sp.traceId().equals(clientTrace) && sp.kind().equals("SPAN_KIND_SERVER")),
                    () -> "no server span of the client's trace " + clientTrace);
            Received server = spans.stream().filter(sp -> sp.traceId().equals(clientTrace) && sp.kind().equals("SPAN_KIND_SERVER"))
                    .findFirst().orElseThrow();
            assertThat(server.service()).isEqualTo("session-service");
            assertThat(server.parentId()).as("the service's span is the child of the client's").isEqualTo(clientSpan);
        } finally {
            if (phone != null) {
                phone.close();
            }
            if (tv != null) {
                tv.close();
            }
            restartTraced(Map.of()); // back to the stack as up.sh runs it: tracing off
            receiver.stop(0);
        }
    }

    /**
     * The trace of a state op that reached notification-service's frame push, once every hop of it was exported (each
     * service exports its spans in its own batches, so the relay's publish can arrive after the push).
     */
    private Optional<List<Received>> opTrace() {
        Map<String, List<Received>> byTrace = spans.stream().collect(Collectors.groupingBy(Received::traceId));
        return byTrace.values().stream()
                .filter(t -> t.stream().anyMatch(s -> s.name().equals("POST /api/state/ops"))
                        && t.stream().anyMatch(s -> s.service().equals("session-service") && s.name().equals("state.events publish"))
                        && t.stream().anyMatch(s -> s.service().equals("notification-service") && s.name().equals("state.events consume"))
                        && t.stream().anyMatch(s -> s.service().equals("notification-service") && s.name().equals("frame push")))
                .findFirst();
    }

    private static Received one(List<Received> trace, String service, String name) {
        List<Received> found = trace.stream().filter(s -> s.service().equals(service) && s.name().equals(name)).toList();
        assertThat(found).as(service + " '" + name + "' in the op's trace").hasSize(1);
        return found.get(0);
    }

    private static List<String> ancestors(List<Received> trace, Received span) {
        Map<String, Received> byId = trace.stream().collect(Collectors.toMap(Received::spanId, s -> s, (a, b) -> a));
        List<String> up = new java.util.ArrayList<>();
        for (Received s = byId.get(span.parentId()); s != null; s = byId.get(s.parentId())) {
            up.add(s.spanId());
        }
        return up;
    }

    /** Kills session- and notification-service; up.sh starts them again with {@code env} (tracing on, or off). */
    private static void restartTraced(Map<String, String> env) throws Exception {
        Drill.kill("session-service");
        Drill.kill("notification-service");
        await().atMost(Duration.ofSeconds(10)).until(() -> !io.continuum.testing.LocalStack.portOpen("127.0.0.1", 8082)
                && !io.continuum.testing.LocalStack.portOpen("127.0.0.1", 8083));
        Drill.script(env, "up.sh");
    }

    /** An OTLP/HTTP (protobuf) trace receiver on a free loopback port: what an OpenTelemetry Collector would take. */
    private HttpServer receiver() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (InputStream raw = exchange.getRequestBody();
                 InputStream body = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                         ? new GZIPInputStream(raw) : raw) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    String service = rs.getResource().getAttributesList().stream()
                            .filter(kv -> kv.getKey().equals("service.name")).map(KeyValue::getValue)
                            .map(v -> v.getStringValue()).findFirst().orElse("?");
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        ss.getSpansList().forEach(s -> spans.add(new Received(service, hex(s.getTraceId().toByteArray()),
                                hex(s.getSpanId().toByteArray()), hex(s.getParentSpanId().toByteArray()), s.getName(),
                                s.getKind().name())));
                    }
                }
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                if (answer.length > 0) {
                    exchange.getResponseBody().write(answer);
                }
            } catch (Throwable e) {
                receiveErrors.add(e.toString());
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
