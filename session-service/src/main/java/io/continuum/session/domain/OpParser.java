package io.continuum.session.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.continuum.session.config.StateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns the JSON ops of a batch into {@link Op}s. Values that break a rule (negative, absurd, missing, too long)
 * fail the whole batch with 422 naming every wrong field as {@code ops[i].field}, before anything is applied; an
 * unknown {@code kind} is not an error here: that op alone is rejected when the batch runs.
 */
@ApplicationScoped
public class OpParser {

    /** Ids of things inside the account state: content, currency, item, achievement, channel, zone. */
    public static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:@/+-]{1,128}");
    public static final Pattern OP_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");
    /** 7 days: no playable item is longer; anything above is a client bug. */
    public static final long MAX_MEDIA_MS = 7L * 24 * 3600 * 1000;
    public static final long MAX_AMOUNT = 1_000_000_000L;
    public static final long MAX_QUANTITY = 1_000_000L;
    public static final double MAX_COORDINATE = 1.0e9;
    public static final int MAX_REASON = 200;

    private final StateConfig config;

    public OpParser(StateConfig config) {
        this.config = config;
    }

    public List<Op> parse(List<JsonNode> ops) {
        if (ops == null || ops.isEmpty()) {
            throw ProblemException.invalid("ops", "must contain between 1 and " + config.maxOpsPerBatch() + " ops");
        }
        if (ops.size() > config.maxOpsPerBatch()) {
            throw ProblemException.tooLarge("a batch holds at most " + config.maxOpsPerBatch() + " ops; this one has " + ops.size())
                    .with("maxOps", config.maxOpsPerBatch());
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        List<Op> parsed = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            parsed.add(parseOne(ops.get(i), "ops[" + i + "]", errors));
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return parsed;
    }

    /** Parses a single op (also used by the REST document writes); throws 422 naming the fields. */
    public Op parseSingle(JsonNode op, String path) {
        List<Problem.FieldError> errors = new ArrayList<>();
        Op parsed = parseOne(op, path, errors);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return parsed;
    }

    public static ProblemException invalid(List<Problem.FieldError> errors) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; "));
        return new ProblemException(422, "validation", "Invalid input", detail, errors);
    }

    private Op parseOne(JsonNode node, String path, List<Problem.FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new Problem.FieldError(path, "must be an object"));
            return null;
        }
        Fields f = new Fields(node, path, errors);
        String opId = f.string("opId", OP_ID, true);
        String kind = f.string("kind", Pattern.compile("[a-z][a-z0-9.-]{0,63}"), true);
        if (kind == null) {
            return null;
        }
        return switch (kind) {
            case OpKinds.PLAYBACK_SET -> {
                long duration = f.integer("durationMs", 0, MAX_MEDIA_MS, true);
                long position = f.integer("positionMs", 0, MAX_MEDIA_MS, true);
                if (duration > 0 && position > duration) {
                    errors.add(new Problem.FieldError(f.at("positionMs"), "must not be greater than durationMs (" + duration + ")"));
                }
                String state = f.string("state", Pattern.compile("playing|paused|stopped"), true);
                yield new Op.PlaybackSet(opId, f.string("contentId", KEY, true), position, duration, state,
                        f.optionalRevision("seenRevision"), f.instant("actedAt"));
            }
            case OpKinds.WALLET_CREDIT -> new Op.WalletCredit(opId, f.string("currency", KEY, true),
                    f.integer("amount", 1, MAX_AMOUNT, true), f.reason());
            case OpKinds.WALLET_DEBIT -> new Op.WalletDebit(opId, f.string("currency", KEY, true),
                    f.integer("amount", 1, MAX_AMOUNT, true), f.reason());
            case OpKinds.INVENTORY_GRANT -> new Op.InventoryGrant(opId, f.string("itemId", KEY, true),
                    f.integer("quantity", 1, MAX_QUANTITY, true), f.reason());
            case OpKinds.INVENTORY_CONSUME -> new Op.InventoryConsume(opId, f.string("itemId", KEY, true),
                    f.integer("quantity", 1, MAX_QUANTITY, true), f.reason());
            case OpKinds.GAME_PURCHASE -> new Op.Purchase(opId, f.string("currency", KEY, true),
                    f.integer("price", 0, MAX_AMOUNT, true), f.string("itemId", KEY, true),
                    f.integer("quantity", 1, MAX_QUANTITY, true), f.reason());
            case OpKinds.ACHIEVEMENT_UNLOCK -> new Op.AchievementUnlock(opId, f.string("achievementId", KEY, true));
            case OpKinds.WORLD_MOVE -> new Op.WorldMove(opId, f.string("zone", KEY, true),
                    f.coordinate("x"), f.coordinate("y"), f.coordinate("z"), f.optionalRevision("seenRevision"), f.instant("actedAt"));
            case OpKinds.PROFILE_PUT, OpKinds.PREFERENCES_PUT -> new Op.DocumentPut(opId,
                    kind.substring(0, kind.indexOf('.')), f.integer("baseVersion", 0, Long.MAX_VALUE - 1, true),
                    f.document("value", config.maxDocumentBytes()));
            case OpKinds.READ_MARKER_ADVANCE -> new Op.ReadMarkerAdvance(opId, f.string("channel", KEY, true),
                    f.integer("seq", 0, Long.MAX_VALUE, true));
            default -> new Op.Unknown(opId, kind);
        };
    }

    /** Reads members of one op, recording a field error (and returning a neutral value) for each bad one. */
    private record Fields(JsonNode node, String path, List<Problem.FieldError> errors) {

        /** {@code ops[3].amount} in a batch; just the member for a single REST write. */
        String at(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        String string(String name, Pattern pattern, boolean required) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                if (required) {
                    errors.add(new Problem.FieldError(at(name), "is required"));
                }
                return null;
            }
            if (!v.isTextual() || !pattern.matcher(v.textValue()).matches()) {
                errors.add(new Problem.FieldError(at(name), "must be a string matching " + pattern.pattern()));
                return null;
            }
            return v.textValue();
        }

        long integer(String name, long min, long max, boolean required) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                if (required) {
                    errors.add(new Problem.FieldError(at(name), "is required"));
                }
                return min;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                errors.add(new Problem.FieldError(at(name), "must be an integer between " + min + " and " + max));
                return min;
            }
            long value = v.longValue();
            if (value < min || value > max) {
                errors.add(new Problem.FieldError(at(name), "must be between " + min + " and " + max));
                return min;
            }
            return value;
        }

        Long optionalRevision(String name) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? null : integer(name, 0, Long.MAX_VALUE, false);
        }

        /** An optional ISO-8601 instant ({@code 2026-11-28T01:40:13.001Z}). */
        Instant instant(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            try {
                if (v.isTextual() && v.textValue().length() <= 40) {
                    return Instant.parse(v.textValue());
                }
            } catch (DateTimeParseException e) {
                // reported below
            }
            errors.add(new Problem.FieldError(at(name), "must be an ISO-8601 instant such as 2026-11-28T01:40:13.001Z"));
            return null;
        }

        double coordinate(String name) {
            JsonNode v = node.get(name);
            if (v == null || !v.isNumber() || !Double.isFinite(v.doubleValue()) || Math.abs(v.doubleValue()) > MAX_COORDINATE) {
                errors.add(new Problem.FieldError(at(name), "must be a number between -" + MAX_COORDINATE + " and " + MAX_COORDINATE));
                return 0;
            }
            return v.doubleValue();
        }

        String reason() {
            JsonNode v = node.get("reason");
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual() || v.textValue().length() > MAX_REASON) {
                errors.add(new Problem.FieldError(at("reason"), "must be a string of at most " + MAX_REASON + " characters"));
                return null;
            }
            return v.textValue();
        }

        ObjectNode document(String name, int maxBytes) {
            JsonNode v = node.get(name);
            if (v == null || !v.isObject()) {
                errors.add(new Problem.FieldError(at(name), "must be a JSON object"));
                return null;
            }
            if (v.toString().getBytes(StandardCharsets.UTF_8).length > maxBytes) {
                errors.add(new Problem.FieldError(at(name), "must be at most " + maxBytes + " bytes of JSON"));
                return null;
            }
            return (ObjectNode) v;
        }
    }
}
