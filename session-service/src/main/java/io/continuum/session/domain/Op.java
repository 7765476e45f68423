package io.continuum.session.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One client operation of a batch. Every op carries a client-generated {@code opId}: the first answer for an op id
 * is final, so replaying an offline queue has the effect of sending it once. {@link #kind()} is the wire name.
 */
public sealed interface Op {

    String opId();

    String kind();

    /**
     * Position of a content item. The latest user action wins: with {@link Stamp} members, a replay that lost to a
     * newer action of another device is rejected ({@code superseded}); without them, the last accepted wins.
     */
    record PlaybackSet(String opId, String contentId, long positionMs, long durationMs, String state,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long seenRevision,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Instant actedAt) implements Op, Stamped {
        public String kind() { return OpKinds.PLAYBACK_SET; }
    }

    record WalletCredit(String opId, String currency, long amount, String reason) implements Op {
        public String kind() { return OpKinds.WALLET_CREDIT; }
    }

    /** Rejected (insufficient-funds) when the balance would go negative. */
    record WalletDebit(String opId, String currency, long amount, String reason) implements Op {
        public String kind() { return OpKinds.WALLET_DEBIT; }
    }

    record InventoryGrant(String opId, String itemId, long quantity, String reason) implements Op {
        public String kind() { return OpKinds.INVENTORY_GRANT; }
    }

    /** Rejected (insufficient-quantity) when the quantity would go below zero. */
    record InventoryConsume(String opId, String itemId, long quantity, String reason) implements Op {
        public String kind() { return OpKinds.INVENTORY_CONSUME; }
    }

    /** Debits {@code price} of {@code currency} and grants {@code quantity} of {@code itemId}, atomically. */
    record Purchase(String opId, String currency, long price, String itemId, long quantity, String reason) implements Op {
        public String kind() { return OpKinds.GAME_PURCHASE; }
    }

    /** Unlocks once; a second unlock is rejected (already-unlocked). */
    record AchievementUnlock(String opId, String achievementId) implements Op {
        public String kind() { return OpKinds.ACHIEVEMENT_UNLOCK; }
    }

    /** World position; the latest user action wins, like {@link PlaybackSet}. */
    record WorldMove(String opId, String zone, double x, double y, double z,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Long seenRevision,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Instant actedAt) implements Op, Stamped {
        public String kind() { return OpKinds.WORLD_MOVE; }
    }

    /**
     * An op stamped by the device: the account revision it had seen when the user acted, and when the user acted
     * (device clock corrected by the skew the device measured against the servers). Both optional; null members are
     * left out of the op's fingerprint, so unstamped ops hash as before.
     */
    interface Stamped {
        Long seenRevision();

        Instant actedAt();
    }

    /** Profile or preferences write based on {@code baseVersion}; a stale base is rejected with the current value. */
    record DocumentPut(String opId, String doc, long baseVersion, ObjectNode value) implements Op {
        public String kind() { return doc + ".put"; }
    }

    /** Highest read message sequence of a chat channel; only moves forward. */
    record ReadMarkerAdvance(String opId, String channel, long seq) implements Op {
        public String kind() { return OpKinds.READ_MARKER_ADVANCE; }
    }

    /** A kind this server does not know: rejected alone, the rest of the batch goes on. */
    record Unknown(String opId, String kind) implements Op {
    }
}
