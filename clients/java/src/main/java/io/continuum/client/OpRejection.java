package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An op the server refused for good (status {@code rejected}, or a 4xx naming it). It is out of the queue, its local
 * effect is rolled back, and it is kept in the store's dead letters with {@link #reason}.
 *
 * @param opId    the op's id
 * @param op      the op as it was queued
 * @param reason  machine-readable: {@code insufficient-funds}, {@code superseded}, {@code stale-version},
 *                {@code invalid} (a 4xx), …
 * @param detail  human-readable
 * @param current the server's current value where it helps (the balance, the newer playback position), or null
 */
public record OpRejection(String opId, ObjectNode op, String reason, String detail, JsonNode current) {
}
