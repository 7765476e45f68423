package io.continuum.billing.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.domain.BillingClock;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.platform.security.Caller;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** {@code GET /api/billing/entitlements}: the caller's entitlements, with a strong ETag of the answer. */
@Path("/api/billing/entitlements")
@Authenticated
public class EntitlementResource {

    private final BillingStore store;
    private final Caller caller;
    private final BillingClock clock;
    private final ObjectMapper mapper;

    public EntitlementResource(BillingStore store, Caller caller, BillingClock clock, ObjectMapper mapper) {
        this.store = store;
        this.caller = caller;
        this.clock = clock;
        this.mapper = mapper;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    @Operation(summary = "The caller's entitlements", description = "validUntil and state per entitlement; If-None-Match → 304")
    public Uni<Response> list(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        Instant now = clock.now();
        return store.entitlementsOf(caller.accountId()).map(rows -> {
            Views.Entitlements body = new Views.Entitlements(rows.stream().map(r -> Views.Entitlement.of(r, now)).toList());
            byte[] json;
            try {
                json = mapper.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            EntityTag tag = new EntityTag(etag(json));
            if (ifNoneMatch != null && (ifNoneMatch.contains("\"" + tag.getValue() + "\"") || ifNoneMatch.trim().equals("*"))) {
                return Response.notModified(tag).build();
            }
            return Response.ok(new String(json, StandardCharsets.UTF_8), MediaType.APPLICATION_JSON_TYPE).tag(tag)
                    .header(HttpHeaders.CACHE_CONTROL, "private, no-cache").build();
        });
    }

    static String etag(byte[] json) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
