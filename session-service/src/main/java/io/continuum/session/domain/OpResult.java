package io.continuum.session.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer for one op of a batch.
 *
 * <ul>
 *   <li>{@code applied}: the change got {@code revision}; {@code value} is the new value of what changed;</li>
 *   <li>{@code rejected}: nothing changed; {@code reason} (machine-readable), {@code detail}, and where useful
 *       {@code current} (e.g. the balance, or the current document on a stale version);</li>
 *   <li>{@code duplicate}: this op id was answered before; {@code original} is that first answer, unchanged.</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OpResult(
        String opId, String status, Long revision, JsonNode value,
        String reason, String detail, JsonNode current, JsonNode original) {

    public static final String APPLIED = "applied";
    public static final String REJECTED = "rejected";
    public static final String DUPLICATE = "duplicate";

    public static OpResult applied(String opId, long revision, JsonNode value) {
        return new OpResult(opId, APPLIED, revision, value, null, null, null, null);
    }

    public static OpResult rejected(String opId, String reason, String detail, JsonNode current) {
        return new OpResult(opId, REJECTED, null, null, reason, detail, current, null);
    }

    public static OpResult duplicate(String opId, JsonNode original) {
        return new OpResult(opId, DUPLICATE, null, null, null, null, null, original);
    }

    /** Status of the answer that counts: the original one for a duplicate. */
    public String effectiveStatus() {
        return DUPLICATE.equals(status) && original != null ? original.path("status").asText() : status;
    }
}
