package io.continuum.session.domain;

import java.util.List;

/** Wire names of the op kinds ({@code kind} member of an op). */
public final class OpKinds {

    public static final String PLAYBACK_SET = "playback.set";
    public static final String WALLET_CREDIT = "wallet.credit";
    public static final String WALLET_DEBIT = "wallet.debit";
    public static final String INVENTORY_GRANT = "inventory.grant";
    public static final String INVENTORY_CONSUME = "inventory.consume";
    public static final String GAME_PURCHASE = "game.purchase";
    public static final String ACHIEVEMENT_UNLOCK = "achievement.unlock";
    public static final String WORLD_MOVE = "world.move";
    public static final String PROFILE_PUT = "profile.put";
    public static final String PREFERENCES_PUT = "preferences.put";
    public static final String READ_MARKER_ADVANCE = "read-marker.advance";

    public static final List<String> ALL = List.of(PLAYBACK_SET, WALLET_CREDIT, WALLET_DEBIT, INVENTORY_GRANT,
            INVENTORY_CONSUME, GAME_PURCHASE, ACHIEVEMENT_UNLOCK, WORLD_MOVE, PROFILE_PUT, PREFERENCES_PUT,
            READ_MARKER_ADVANCE);

    private OpKinds() {
    }
}
