package io.continuum.session;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builders of wire ops for the tests. */
public final class Ops {

    private Ops() {
    }

    static Map<String, Object> op(String opId, String kind, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("opId", opId);
        m.put("kind", kind);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    public static Map<String, Object> playback(String opId, String contentId, long position, long duration, String state) {
        return op(opId, "playback.set", "contentId", contentId, "positionMs", position, "durationMs", duration, "state", state);
    }

    public static Map<String, Object> credit(String opId, String currency, long amount) {
        return op(opId, "wallet.credit", "currency", currency, "amount", amount, "reason", "test credit");
    }

    public static Map<String, Object> debit(String opId, String currency, long amount) {
        return op(opId, "wallet.debit", "currency", currency, "amount", amount, "reason", "test debit");
    }

    public static Map<String, Object> grant(String opId, String item, long quantity) {
        return op(opId, "inventory.grant", "itemId", item, "quantity", quantity, "reason", "test grant");
    }

    public static Map<String, Object> consume(String opId, String item, long quantity) {
        return op(opId, "inventory.consume", "itemId", item, "quantity", quantity);
    }

    public static Map<String, Object> purchase(String opId, String currency, long price, String item, long quantity) {
        return op(opId, "game.purchase", "currency", currency, "price", price, "itemId", item, "quantity", quantity, "reason", "shop");
    }

    public static Map<String, Object> unlock(String opId, String achievement) {
        return op(opId, "achievement.unlock", "achievementId", achievement);
    }

    public static Map<String, Object> move(String opId, String zone, double x, double y, double z) {
        return op(opId, "world.move", "zone", zone, "x", x, "y", y, "z", z);
    }

    public static Map<String, Object> readMarker(String opId, String channel, long seq) {
        return op(opId, "read-marker.advance", "channel", channel, "seq", seq);
    }

    public static Map<String, Object> document(String opId, String doc, long baseVersion, Map<String, Object> value) {
        return op(opId, doc + ".put", "baseVersion", baseVersion, "value", value);
    }
}
