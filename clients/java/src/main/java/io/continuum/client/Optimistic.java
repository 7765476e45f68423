package io.continuum.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How an op the server has not answered yet shows locally: the server's rule for the kind, guessed on the
 * confirmed state. A guess may be wrong (a debit another device already spent): the server's answer replaces it.
 */
final class Optimistic {

    private Optimistic() {
    }

    static void apply(ObjectNode s, ObjectNode op) {
        switch (op.path("kind").asText()) {
            case "playback.set" -> {
                ObjectNode p = LocalState.obj(s, "playback").putObject(op.path("contentId").asText());
                long duration = op.path("durationMs").asLong();
                long position = op.path("positionMs").asLong();
                p.put("contentId", op.path("contentId").asText()).put("positionMs", position)
                        .put("durationMs", duration).put("state", op.path("state").asText())
                        .put("finished", duration > 0 && position >= 0.95 * duration).put("pending", true);
            }
            case "wallet.credit" -> add(s, "wallet", op.path("currency").asText(), op.path("amount").asLong());
            case "wallet.debit" -> {
                if (balance(s, "wallet", op.path("currency").asText()) >= op.path("amount").asLong()) {
                    add(s, "wallet", op.path("currency").asText(), -op.path("amount").asLong());
                }
            }
            case "inventory.grant" -> add(s, "inventory", op.path("itemId").asText(), op.path("quantity").asLong());
            case "inventory.consume" -> {
                if (balance(s, "inventory", op.path("itemId").asText()) >= op.path("quantity").asLong()) {
                    add(s, "inventory", op.path("itemId").asText(), -op.path("quantity").asLong());
                }
            }
            case "game.purchase" -> {
                if (balance(s, "wallet", op.path("currency").asText()) >= op.path("price").asLong()) {
                    add(s, "wallet", op.path("currency").asText(), -op.path("price").asLong());
                    add(s, "inventory", op.path("itemId").asText(), op.path("quantity").asLong());
                }
            }
            case "achievement.unlock" -> {
                ObjectNode a = LocalState.obj(s, "achievements");
                if (!a.has(op.path("achievementId").asText())) {
                    a.putObject(op.path("achievementId").asText()).put("achievementId", op.path("achievementId").asText())
                            .put("pending", true);
                }
            }
            case "world.move" -> s.putObject("worldPosition").put("zone", op.path("zone").asText())
                    .put("x", op.path("x").asDouble()).put("y", op.path("y").asDouble()).put("z", op.path("z").asDouble());
            case "profile.put", "preferences.put" -> {
                String doc = op.path("kind").asText().substring(0, op.path("kind").asText().indexOf('.'));
                ObjectNode d = s.putObject(doc).put("version", op.path("baseVersion").asLong() + 1);
                d.set("value", op.path("value"));
            }
            case "read-marker.advance" -> {
                ObjectNode m = LocalState.obj(s, "readMarkers");
                String ch = op.path("channel").asText();
                m.put(ch, Math.max(m.path(ch).asLong(0), op.path("seq").asLong()));
            }
            default -> {
                // unknown kinds show nothing until the server answers
            }
        }
    }

    private static long balance(ObjectNode s, String member, String key) {
        return LocalState.obj(s, member).path(key).asLong(0);
    }

    private static void add(ObjectNode s, String member, String key, long delta) {
        ObjectNode m = LocalState.obj(s, member);
        m.put(key, m.path(key).asLong(0) + delta);
    }
}
