package io.continuum.session.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continuum.platform.idempotency.IdempotencyInterceptor;
import io.continuum.platform.idempotency.Idempotent;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.security.Caller;
import io.continuum.session.config.StateConfig;
import io.continuum.session.domain.BatchOutcome;
import io.continuum.session.domain.Op;
import io.continuum.session.domain.OpParser;
import io.continuum.session.domain.OpResult;
import io.continuum.session.domain.Rejections;
import io.continuum.session.domain.StateView;
import io.continuum.session.domain.SyncService;
import io.continuum.session.persistence.StateReads;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The sync protocol: push ops, pull changes, fetch the snapshot, and the per-kind reads. The account is always
 * the token's {@code sub}: no path or body names an account, so no call reaches another account's state.
 */
@Path("/api/state")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class StateResource {

    private static final Pattern IF_MATCH = Pattern.compile("^(?:W/)?\"?(\\d{1,18})\"?$");

    private final Caller caller;
    private final SyncService sync;
    private final StateReads reads;
    private final OpParser parser;
    private final StateConfig config;
    private final ObjectMapper mapper;

    public StateResource(Caller caller, SyncService sync, StateReads reads, OpParser parser, StateConfig config, ObjectMapper mapper) {
        this.caller = caller;
        this.sync = sync;
        this.reads = reads;
        this.parser = parser;
        this.config = config;
        this.mapper = mapper;
    }

    /** The body of {@code POST /api/state/ops}. */
    public record OpBatch(List<JsonNode> ops) {
    }

    /**
     * Pushes a batch. Each op is idempotent by its {@code opId}; {@code Idempotency-Key}, when sent, also makes the
     * whole request idempotent ({@link Idempotent}): the first answer is stored with the batch's effect and replayed
     * with {@code Idempotent-Replayed: true}; the same key with another body is 422 {@code idempotency-key-reused},
     * and concurrent requests with one key apply once.
     */
    @POST
    @Path("/ops")
    @Consumes(MediaType.APPLICATION_JSON)
    @Idempotent(store = Idempotent.Store.SQL_CLIENT)
    @APIResponse(responseCode = "200", description = "the batch's per-op results",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BatchOutcome.class)))
    public Uni<Response> ops(OpBatch batch) {
        caller.requireDeviceId();
        String account = caller.accountId();
        List<Op> ops = parser.parse(batch == null ? null : batch.ops());
        // the origin device must be registered to this account and bound to this sign-in (403 device-not-registered)
        return caller.requireRegisteredDevice()
                .chain(device -> sync.apply(account, device, ops))
                .map(outcome -> Response.ok(outcome).build());
    }

    @GET
    @Path("/snapshot")
    public Uni<StateView.Snapshot> snapshot() {
        return reads.snapshot(caller.accountId());
    }

    @GET
    @Path("/changes")
    public Uni<StateView.ChangesPage> changes(@RestQuery String since, @RestQuery String limit) {
        long from = number("since", since, 0, Long.MAX_VALUE, null);
        int max = (int) number("limit", limit, 1, config.maxChangesPerPage(), (long) config.maxChangesPerPage());
        return reads.changes(caller.accountId(), from, max);
    }

    @GET
    @Path("/playback/{contentId}")
    public Uni<StateView.Playback> playback(@RestPath String contentId) {
        if (!OpParser.KEY.matcher(contentId).matches()) {
            throw ProblemException.invalid("contentId", "must match " + OpParser.KEY.pattern());
        }
        return reads.playback(caller.accountId(), contentId);
    }

    @GET
    @Path("/continue-watching")
    public Uni<StateView.ContinueWatching> continueWatching(@RestQuery String limit) {
        int max = (int) number("limit", limit, 1, config.continueWatchingLimit(), (long) config.continueWatchingLimit());
        return reads.continueWatching(caller.accountId(), max);
    }

    @GET
    @Path("/game/ledger")
    public Uni<List<StateView.LedgerEntry>> ledger(@RestQuery String limit) {
        int max = (int) number("limit", limit, 1, 1000, 100L);
        return reads.ledger(caller.accountId(), max);
    }

    @GET
    @Path("/{doc: profile|preferences}")
    public Uni<Response> document(@RestPath String doc) {
        return reads.document(caller.accountId(), doc)
                .map(d -> Response.ok(d).tag(new EntityTag(Long.toString(d.version()))).build());
    }

    /**
     * Replaces the document, based on the version named by {@code If-Match} (0 for the first write): 412 with the
     * current document when it is stale, 428 without {@code If-Match}. {@code Idempotency-Key}, when sent, is the
     * op id: a retry gets the first answer back.
     */
    @PUT
    @Path("/{doc: profile|preferences}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> putDocument(@RestPath String doc, @RestHeader("If-Match") String ifMatch,
                                     @RestHeader("Idempotency-Key") String idempotencyKey, JsonNode body) {
        caller.requireDeviceId();
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new ProblemException(428, "precondition-required", "Precondition required",
                    "send If-Match with the version the change is based on (\"0\" for the first write)",
                    List.of(new io.continuum.platform.problem.Problem.FieldError("If-Match", "is required")));
        }
        Matcher m = IF_MATCH.matcher(ifMatch.trim());
        if (!m.matches()) {
            throw ProblemException.badRequest("Invalid If-Match", "must be a version number such as \"3\"", "If-Match");
        }
        if (body == null || !body.isObject()) {
            throw ProblemException.invalid("body", "must be a JSON object (the whole " + doc + " document)");
        }
        if (body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > config.maxDocumentBytes()) {
            throw ProblemException.invalid("body", "must be at most " + config.maxDocumentBytes() + " bytes of JSON");
        }
        String opId = idempotencyKey != null && !idempotencyKey.isBlank() ? "rest:" + idempotencyKey : "rest:" + UUID.randomUUID();
        ObjectNode op = mapper.createObjectNode().put("opId", opId).put("kind", doc + ".put").put("baseVersion", Long.parseLong(m.group(1)));
        op.set("value", body);
        Op parsed = parser.parseSingle(op, "");
        String account = caller.accountId();
        return caller.requireRegisteredDevice()
                .chain(device -> sync.apply(account, device, List.of(parsed)))
                .map(outcome -> documentAnswer(outcome.results().get(0)));
    }

    private Response documentAnswer(OpResult result) {
        boolean replayed = OpResult.DUPLICATE.equals(result.status());
        JsonNode answer = replayed ? result.original() : mapper.valueToTree(result);
        if (OpResult.APPLIED.equals(answer.path("status").asText())) {
            JsonNode value = answer.path("value");
            Response.ResponseBuilder ok = Response.ok(new StateView.Document(value.path("version").asLong(), value.get("value")))
                    .tag(new EntityTag(value.path("version").asText()))
                    .header("X-State-Revision", answer.path("revision").asLong());
            if (replayed) {
                ok.header(IdempotencyInterceptor.REPLAYED_HEADER, "true");
            }
            return ok.build();
        }
        if (Rejections.OP_ID_REUSED.equals(answer.path("reason").asText())) {
            throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused",
                    "this Idempotency-Key was used for a different request",
                    List.of(new io.continuum.platform.problem.Problem.FieldError("Idempotency-Key", "was used for a different request")));
        }
        JsonNode current = answer.path("current");
        throw ProblemException.preconditionFailed(answer.path("detail").asText())
                .with("current", new StateView.Document(current.path("version").asLong(), current.get("value")));
    }

    private static long number(String name, String raw, long min, long max, Long fallback) {
        if (raw == null || raw.isBlank()) {
            if (fallback == null) {
                throw ProblemException.invalid(name, "is required");
            }
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.trim());
            if (value < min || value > max) {
                throw ProblemException.invalid(name, "must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ProblemException.invalid(name, "must be an integer between " + min + " and " + max);
        }
    }
}
