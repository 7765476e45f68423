package io.continuum.platform;

import io.continuum.platform.idempotency.Idempotent;
import io.continuum.platform.security.Caller;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** REST surface of the platform test application. */
@Path("/test/counters")
@Authenticated
public class TestResource {

    public record AddRequest(@NotBlank @Size(max = 20) String label, @Min(1) @Max(1000) long delta) {}

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;
    @jakarta.inject.Inject
    io.vertx.mutiny.sqlclient.Pool pool;
    private final TestCounters counters;
    private final Caller caller;

    public TestResource(TestCounters counters, Caller caller) {
        this.counters = counters;
        this.caller = caller;
    }

    @POST
    @Idempotent
    public Uni<Response> add(@Valid AddRequest request) {
        String account = caller.accountId();
        return counters.add(account, request.delta(), false)
                .map(value -> Response.status(201).entity(Map.of("account", account, "value", value, "label", request.label())).build());
    }

    /** A free-form document and a typed member, without @Consumes (as most services' PATCH/POST methods are). */
    public record Note(String label, com.fasterxml.jackson.databind.JsonNode doc, Boolean flag) {}

    @jakarta.ws.rs.PATCH
    @Path("/notes/{name}")
    public Map<String, Object> note(@org.jboss.resteasy.reactive.RestPath String name, Note note) {
        return Map.of("name", name, "label", String.valueOf(note.label()), "doc", String.valueOf(note.doc()));
    }

    @GET
    @Path("/echo")
    public Map<String, Object> echo(@org.jboss.resteasy.reactive.RestQuery String q) {
        return Map.of("q", String.valueOf(q));
    }

    @GET
    public Uni<Map<String, Object>> get() {
        String account = caller.accountId();
        return counters.value(account).map(v -> Map.of("account", account, "value", v,
                "device", caller.deviceId().orElse("")));
    }

    /** What a log line of this request carries (MDC), after the request has gone through the event loop. */
    @GET
    @Path("/log-context")
    public Uni<Map<String, Object>> logContext() {
        return counters.value(caller.accountId()).map(v -> Map.of(
                "accountId", String.valueOf(org.jboss.logging.MDC.get("accountId")),
                "deviceId", String.valueOf(org.jboss.logging.MDC.get("deviceId"))));
    }

    /** A write that must come from a registered device bound to the caller's session. */
    @POST
    @Path("/device-write")
    public Uni<Map<String, Object>> deviceWrite() {
        return caller.requireRegisteredDevice().map(device -> Map.of("device", device));
    }

    /** A query on a pool whose server refuses connections (nothing listens on port 1): PostgreSQL "down". */
    @GET
    @Path("/database-down")
    public Uni<Map<String, Object>> databaseDown() {
        io.vertx.sqlclient.Pool down = io.vertx.pgclient.PgBuilder.pool()
                .connectingTo(new io.vertx.pgclient.PgConnectOptions().setHost("127.0.0.1").setPort(1)
                        .setDatabase("none").setUser("none").setPassword("none"))
                .using(vertx).build();
        return Uni.createFrom().completionStage(() -> down.query("select 1").execute().toCompletionStage())
                .eventually(() -> Uni.createFrom().completionStage(down.close().toCompletionStage()))
                .map(rows -> Map.of("rows", rows.size()));
    }

    /** The server ends this request's connection (as a fast shutdown or failover does): SQLSTATE 57P01. */
    @GET
    @Path("/connection-terminated")
    public Uni<Map<String, Object>> connectionTerminated() {
        return pool.query("select pg_terminate_backend(pg_backend_pid())").execute().map(rows -> Map.of("rows", rows.size()));
    }
}
