package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The confirmed account state and the rules that fold server changes and pending ops into it.
 *
 * <p>Two layers: the <b>confirmed</b> state is exactly the server's at {@link #revision()} (loaded from a snapshot,
 * advanced by changes in revision order, never by guesses); the <b>view</b> is the confirmed state with the queued
 * ops applied in order ({@link #view(List)}). The view is recomputed, never patched, so a rejected op "rolls back"
 * simply by leaving the queue, and an op the server applied differently (another device's debit came first) shows
 * the server's result as soon as its change arrives. Not thread-safe: the client owns it on one thread.
 */
public final class LocalState {

    private static final ObjectMapper JSON = new ObjectMapper();
    private ObjectNode confirmed = empty();
    private long revision;
    /** Op ids whose change is already in the confirmed state (their echo or feed entry came before the answer). */
    private final Set<String> confirmedOps = new HashSet<>();

    public long revision() {
        return revision;
    }

    public ObjectNode confirmed() {
        return confirmed;
    }

    /** Replaces everything with a snapshot ({@code GET /api/state/snapshot}). */
    public void loadSnapshot(JsonNode snapshot) {
        ObjectNode copy = ((ObjectNode) snapshot).deepCopy();
        revision = copy.path("revision").asLong(0);
        copy.remove("revision");
        for (String member : List.of("playback", "wallet", "inventory", "achievements", "readMarkers")) {
            if (!copy.path(member).isObject()) {
                copy.putObject(member);
            }
        }
        confirmed = copy;
        confirmedOps.clear();
    }

    /**
     * Applies one change of the feed or of a live frame.
     *
     * @return {@code APPLIED}, {@code OLD} (already in the state) or {@code GAP} (a revision in between is missing:
     *         pull {@code /changes})
     */
    public Fold apply(long changeRevision, String kind, String key, String deviceId, String opId, JsonNode value) {
        if (changeRevision <= revision) {
            return Fold.OLD;
        }
        if (changeRevision != revision + 1) {
            return Fold.GAP;
        }
        set(confirmed, kind, key, deviceId, changeRevision, value);
        revision = changeRevision;
        if (opId != null) {
            confirmedOps.add(opId);
        }
        return Fold.APPLIED;
    }

    /** The server's answer for an op arrived: the op left the queue, its id need not be remembered any longer. */
    public void answered(String opId) {
        confirmedOps.remove(opId);
    }

    public enum Fold { APPLIED, OLD, GAP }

    /** The confirmed state with the pending ops applied on top, in order. */
    public AccountState view(List<ObjectNode> pending) {
        ObjectNode view = confirmed.deepCopy();
        int count = 0;
        for (ObjectNode op : pending) {
            if (confirmedOps.contains(op.path("opId").asText())) {
                continue;
            }
            Optimistic.apply(view, op);
            count++;
        }
        return new AccountState(revision, count, view);
    }

    /** Serialized for the device store, so a restarted device shows its last state before it is online. */
    public String save() {
        ObjectNode copy = confirmed.deepCopy();
        copy.put("revision", revision);
        return copy.toString();
    }

    public void restore(String saved) {
        try {
            loadSnapshot(JSON.readTree(saved));
        } catch (Exception e) {
            // an unreadable saved state only costs a snapshot load
        }
    }

    /** "Set" semantics of the changes feed: {@code value} is the new value of (kind, key). */
    static void set(ObjectNode state, String kind, String key, String deviceId, long rev, JsonNode value) {
        switch (kind) {
            case "playback" -> {
                ObjectNode p = ((ObjectNode) value).deepCopy();
                p.remove("opId");
                if (deviceId != null) {
                    p.put("deviceId", deviceId);
                }
                p.put("revision", rev);
                obj(state, "playback").set(key, p);
            }
            case "wallet" -> obj(state, "wallet").put(key, value.path("balance").asLong());
            case "inventory" -> obj(state, "inventory").put(key, value.path("quantity").asLong());
            case "purchase" -> {
                obj(state, "wallet").put(value.path("currency").asText(), value.path("balance").asLong());
                obj(state, "inventory").put(value.path("itemId").asText(), value.path("quantity").asLong());
            }
            case "achievement" -> obj(state, "achievements").set(key, value);
            case "world-position" -> state.set("worldPosition", value);
            case "profile", "preferences" -> state.set(kind, value);
            case "read-marker" -> obj(state, "readMarkers").put(key, value.path("seq").asLong());
            default -> {
                // a kind this SDK does not know yet: the snapshot will carry it
            }
        }
    }

    static ObjectNode obj(ObjectNode state, String member) {
        JsonNode n = state.get(member);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return state.putObject(member);
    }

    static ObjectNode empty() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (String member : List.of("playback", "wallet", "inventory", "achievements", "readMarkers")) {
            o.putObject(member);
        }
        return o;
    }
}
