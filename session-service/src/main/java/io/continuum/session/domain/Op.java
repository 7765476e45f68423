package io.continuum.session.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One client operation of a batch. Every op carries a client-generated {@code opId}: the first answer for an op id
 * is final, so replaying an offline queue has the effect of sending it once. {@link #kind()} is the wire name.
 */
public sealed interface Op {

    String opId();

    String kind();

    /** Position of a content item; last accepted action wins. */
    record PlaybackSet(String opId, String contentId, long positionMs, long durationMs, String state) implements Op {
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

    /** World position; latest accepted wins. */
    record WorldMove(String opId, String zone, double x, double y, double z) implements Op {
        public String kind() { return OpKinds.WORLD_MOVE; }
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
