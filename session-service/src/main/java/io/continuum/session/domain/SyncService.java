package io.continuum.session.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continuum.events.state.StateChanged;
import io.continuum.session.config.StateConfig;
import io.continuum.session.messaging.StateEvents;
import io.continuum.session.persistence.StateWrites;
import io.continuum.platform.sql.SqlTransactions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Applies a batch of ops for one account, in one transaction.
 *
 * <p>The transaction starts by locking the account row, so the batches of one account run one after another (on
 * any number of replicas) and each applied op takes the next revision with no gap. Each op checks before it
 * writes (a conditional update is the check), so a rejected op changes nothing and the rest of the batch goes
 * on; an unexpected failure rolls the whole batch back, and nothing of it is half-applied. Every op id's first
 * answer is stored with the change, so a replayed op gets that answer back and has no second effect.
 */
@ApplicationScoped
public class SyncService {

    /** Change kinds of the changes feed and of {@code StateChanged} events. */
    public static final String PURCHASE = "purchase";
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    static final DateTimeFormatter UTC_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final StateWrites db;
    private final StateEvents events;
    private final ObjectMapper mapper;
    private final StateConfig config;

    private final PremiumContent premium;
    private final OpMetrics metrics;
    private final SqlTransactions transactions;

    public SyncService(StateWrites db, StateEvents events, ObjectMapper mapper, StateConfig config, PremiumContent premium,
            OpMetrics metrics, SqlTransactions transactions) {
        this.transactions = transactions;
        this.premium = premium;
        this.metrics = metrics;
        this.db = db;
        this.events = events;
        this.mapper = mapper;
        this.config = config;
    }

    public Uni<BatchOutcome> apply(String account, String device, List<Op> ops) {
        Set<String> opIds = new LinkedHashSet<>();
        ops.forEach(op -> opIds.add(op.opId()));
        // joins the request's transaction when @Idempotent(store = SQL_CLIENT) opened one (the key row commits with the effect)
        return transactions.inTransaction(s -> Uni.combine().all()
                // sent together (the pool pipelines them on the connection): one round trip, not two
                .unis(db.lockAccount(s, account), db.existingResults(s, account, opIds)).asTuple()
                .chain(locked -> {
                    long start = locked.getItem1();
                    Batch b = new Batch(s, account, device, start);
                    locked.getItem2().forEach((id, answer) -> {
                        b.answered.put(id, readTree(answer.resultJson()));
                        if (answer.fingerprint() != null) {
                            b.fingerprints.put(id, answer.fingerprint());
                        }
                    });
                    // the new revision (like the ops' outbox rows) is sent with the COMMIT: one round trip for all three
                    return run(b, ops, 0)
                            .chain(() -> b.revision > start
                                    ? transactions.atCommit(s, () -> db.setRevision(s, account, b.revision))
                                    : Uni.createFrom().voidItem())
                            .map(x -> new BatchOutcome(b.revision, List.copyOf(b.results)));
                }))
                .invoke(metrics::record); // after commit
    }

    private Uni<Void> run(Batch b, List<Op> ops, int i) {
        if (i == ops.size()) {
            return Uni.createFrom().voidItem();
        }
        return applyOne(b, ops.get(i)).chain(result -> {
            b.results.add(result);
            return run(b, ops, i + 1);
        });
    }

    private Uni<OpResult> applyOne(Batch b, Op op) {
        String fp = fingerprint(op);
        JsonNode earlier = b.answered.get(op.opId());
        if (earlier != null) {
            String before = b.fingerprints.get(op.opId());
            if (before != null && !before.equals(fp)) {
                return Uni.createFrom().item(OpResult.rejected(op.opId(), Rejections.OP_ID_REUSED,
                        "op id " + op.opId() + " was used before for a different op; every op needs its own id", null));
            }
            return Uni.createFrom().item(OpResult.duplicate(op.opId(), earlier));
        }
        b.fingerprint = fp;
        long rev = b.revision + 1;
        SqlConnection s = b.session;
        String a = b.account;
        if (op instanceof Op.Unknown u) {
            return Uni.createFrom().item(OpResult.rejected(u.opId(), Rejections.UNKNOWN_KIND,
                "this server does not know op kind '" + u.kind() + "'; known kinds: " + String.join(", ", OpKinds.ALL), null));
        }
        if (op instanceof Op.PlaybackSet p && !premium.mayPlay(a, p.contentId())) {
            return rejected(b, op, Rejections.ENTITLEMENT_REQUIRED, p.contentId() + " needs the premium entitlement",
                    obj().put("entitlement", PremiumContent.ENTITLEMENT).put("contentId", p.contentId()));
        }
        if (op instanceof Op.PlaybackSet p) {
            Instant acted = actedAt(p);
            boolean finished = p.durationMs() > 0 && p.positionMs() >= config.finishedRatio() * p.durationMs();
            ObjectNode value = obj().put("contentId", p.contentId()).put("positionMs", p.positionMs())
                    .put("durationMs", p.durationMs()).put("state", p.state()).put("finished", finished);
            OpResult result = OpResult.applied(op.opId(), rev, value);
            JsonNode stored = stored(result);
            // the "offline never rewinds" rule ({@link #loses}) is checked by the write itself: one statement in the
            // common case; only a superseded op reads the action that beat it, for its answer
            return db.upsertPlaybackUnlessSuperseded(s, a, p.contentId(), p.positionMs(), p.durationMs(), p.state(), finished,
                            b.device, rev, acted.atOffset(ZoneOffset.UTC), p.seenRevision(), op.opId(), fp, value.toString(),
                            stored.toString())
                    .chain(written -> written
                            ? events.playback(s, a, b.device, rev, op.opId(), p.contentId(), p.positionMs(), p.durationMs(), p.state())
                                    .map(x -> accept(b, op, rev, stored, result))
                            : db.lastPlayback(s, a, p.contentId()).chain(last -> superseded(b, op, acted, last)));
        }
        if (op instanceof Op.WalletCredit c) {
            return db.addToWallet(s, a, c.currency(), c.amount(), rev)
                .chain(balance -> wallet(b, op, rev, c.currency(), c.amount(), balance, "credit", c.reason()));
        }
        if (op instanceof Op.WalletDebit d) {
            return db.addToWallet(s, a, d.currency(), -d.amount(), rev).chain(balance -> balance == null
                ? insufficientFunds(b, op, d.currency(), d.amount())
                : wallet(b, op, rev, d.currency(), -d.amount(), balance, "debit", d.reason()));
        }
        if (op instanceof Op.InventoryGrant g) {
            return db.addToInventory(s, a, g.itemId(), g.quantity(), rev)
                .chain(q -> inventory(b, op, rev, g.itemId(), g.quantity(), q, "grant", g.reason()));
        }
        if (op instanceof Op.InventoryConsume c) {
            return db.addToInventory(s, a, c.itemId(), -c.quantity(), rev).chain(q -> q == null
                ? db.quantity(s, a, c.itemId()).chain(held -> rejected(b, op, Rejections.INSUFFICIENT_QUANTITY,
                        "consuming " + c.quantity() + " of " + c.itemId() + " would go below zero",
                        obj().put("itemId", c.itemId()).put("quantity", held)))
                : inventory(b, op, rev, c.itemId(), -c.quantity(), q, "consume", c.reason()));
        }
        if (op instanceof Op.Purchase p) {
            return db.addToWallet(s, a, p.currency(), -p.price(), rev).chain(balance -> balance == null
                ? insufficientFunds(b, op, p.currency(), p.price())
                : db.addToInventory(s, a, p.itemId(), p.quantity(), rev).chain(q -> db
                        .ledger(s, a, rev, op.opId(), b.device, "debit", p.currency(), -p.price(), balance, p.reason())
                        .chain(() -> db.ledger(s, a, rev, op.opId(), b.device, "grant", p.itemId(), p.quantity(), q, p.reason()))
                        .chain(() -> {
                            ObjectNode value = obj().put("currency", p.currency()).put("balance", balance)
                                    .put("price", p.price()).put("itemId", p.itemId()).put("quantity", q)
                                    .put("granted", p.quantity());
                            return applied(b, op, rev, PURCHASE, p.itemId(), value,
                                    events.changed(s, a, b.device, rev, op.opId(), PURCHASE, p.itemId(), value));
                        })));
        }
        if (op instanceof Op.AchievementUnlock u) {
            String at = UTC_MILLIS.format(Instant.now());
            return db.unlock(s, a, u.achievementId(), b.device, rev, at).chain(unlocked -> unlocked
                    ? db.ledger(s, a, rev, op.opId(), b.device, "unlock", u.achievementId(), 1, 1, null).chain(() -> {
                        ObjectNode value = obj().put("achievementId", u.achievementId()).put("unlockedAt", at);
                        return applied(b, op, rev, StateChanged.ACHIEVEMENT, u.achievementId(), value,
                                events.changed(s, a, b.device, rev, op.opId(), StateChanged.ACHIEVEMENT, u.achievementId(), value));
                    })
                    : db.unlockedAt(s, a, u.achievementId()).chain(when -> rejected(b, op, Rejections.ALREADY_UNLOCKED,
                            u.achievementId() + " is already unlocked",
                            obj().put("achievementId", u.achievementId()).put("unlockedAt", when))));
        }
        if (op instanceof Op.WorldMove w) {
            Instant acted = actedAt(w);
            return db.lastWorldMove(s, a).chain(last -> {
                if (loses(w, acted, b.device, last)) {
                    return superseded(b, op, acted, last);
                }
                ObjectNode value = obj().put("zone", w.zone()).put("x", w.x()).put("y", w.y()).put("z", w.z())
                        .put("actedAt", UTC_MILLIS.format(acted));
                return db.upsertWorldPosition(s, a, value.toString(), b.device, rev)
                        .chain(() -> db.ledger(s, a, rev, op.opId(), b.device, "move", w.zone(), 0, 0, null))
                        .chain(() -> applied(b, op, rev, StateChanged.WORLD_POSITION, "position", value,
                                events.changed(s, a, b.device, rev, op.opId(), StateChanged.WORLD_POSITION, "position", value)));
            });
        }
        if (op instanceof Op.DocumentPut d) {
            return db.document(s, a, d.doc()).chain(row -> {
            long current = row == null ? 0 : ((Number) row[0]).longValue();
            if (d.baseVersion() != current) {
                ObjectNode now = obj().put("version", current);
                now.set("value", row == null ? null : readTree((String) row[1]));
                return rejected(b, op, Rejections.STALE_VERSION,
                        d.doc() + " is at version " + current + ", the write was based on version " + d.baseVersion(), now);
            }
            long version = current + 1;
            ObjectNode value = obj().put("version", version);
            value.set("value", d.value());
            return db.putDocument(s, a, d.doc(), version, d.value().toString(), b.device, rev)
                    .chain(() -> applied(b, op, rev, d.doc(), d.doc(), value,
                            events.changed(s, a, b.device, rev, op.opId(), d.doc(), d.doc(), value)));
        });
        }
        if (op instanceof Op.ReadMarkerAdvance m) {
            return db.advanceReadMarker(s, a, m.channel(), m.seq(), rev).chain(seq -> seq == null
                ? db.readMarker(s, a, m.channel()).chain(cur -> rejected(b, op, Rejections.NOT_FORWARD,
                        "read marker of " + m.channel() + " is at " + cur + "; it only moves forward",
                        obj().put("channel", m.channel()).put("seq", cur)))
                : applied(b, op, rev, StateChanged.READ_MARKER, m.channel(), obj().put("channel", m.channel()).put("seq", seq),
                        events.changed(s, a, b.device, rev, op.opId(), StateChanged.READ_MARKER, m.channel(),
                                obj().put("channel", m.channel()).put("seq", seq))));

        }
        throw new IllegalArgumentException("unhandled op " + op);
    }

    /**
     * When the user acted: the op's {@code actedAt}, or now when it has none; never later than the server's clock (a
     * device whose clock runs ahead must not win every future conflict).
     */
    static Instant actedAt(Op.Stamped op) {
        Instant now = Instant.now();
        return op.actedAt() == null || op.actedAt().isAfter(now) ? now : op.actedAt();
    }

    /**
     * "Offline never rewinds another device": an op loses when the key changed after the revision its device had
     * seen ({@code seenRevision}), that change came from another device, and that device's user acted later. Ops
     * without {@code seenRevision} keep the old rule (the last accepted wins); a tie goes to the op.
     *
     * @param last {revision, device, action time, value} of the key's last accepted action, or null
     */
    static boolean loses(Op.Stamped op, Instant acted, String device, Object[] last) {
        if (last == null || op.seenRevision() == null) {
            return false;
        }
        long revision = ((Number) last[0]).longValue();
        Instant lastActed = toInstant(last[2]);
        return revision > op.seenRevision() && !device.equals(last[1]) && lastActed != null && lastActed.isAfter(acted);
    }

    private Uni<OpResult> superseded(Batch b, Op op, Instant acted, Object[] last) {
        ObjectNode current = (ObjectNode) readTree((String) last[3]);
        current.put("deviceId", (String) last[1]).put("revision", ((Number) last[0]).longValue());
        current.put("actedAt", UTC_MILLIS.format(toInstant(last[2])));
        return rejected(b, op, Rejections.SUPERSEDED, "device " + last[1] + " acted at " + UTC_MILLIS.format(toInstant(last[2]))
                + ", after this op (" + UTC_MILLIS.format(acted) + "), in a change this device had not seen", current);
    }

    private static Instant toInstant(Object t) {
        if (t == null) {
            return null;
        }
        if (t instanceof Instant i) {
            return i;
        }
        if (t instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        if (t instanceof java.time.ZonedDateTime z) {
            return z.toInstant();
        }
        if (t instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        if (t instanceof java.time.LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        return Instant.parse(t.toString());
    }

    private Uni<OpResult> wallet(Batch b, Op op, long rev, String currency, long delta, long balance, String entry, String reason) {
        ObjectNode value = obj().put("currency", currency).put("balance", balance).put("delta", delta);
        return db.ledger(b.session, b.account, rev, op.opId(), b.device, entry, currency, delta, balance, reason)
                .chain(() -> applied(b, op, rev, StateChanged.WALLET, currency, value,
                        events.changed(b.session, b.account, b.device, rev, op.opId(), StateChanged.WALLET, currency, value)));
    }

    private Uni<OpResult> inventory(Batch b, Op op, long rev, String item, long delta, long quantity, String entry, String reason) {
        ObjectNode value = obj().put("itemId", item).put("quantity", quantity).put("delta", delta);
        return db.ledger(b.session, b.account, rev, op.opId(), b.device, entry, item, delta, quantity, reason)
                .chain(() -> applied(b, op, rev, StateChanged.INVENTORY, item, value,
                        events.changed(b.session, b.account, b.device, rev, op.opId(), StateChanged.INVENTORY, item, value)));
    }

    private Uni<OpResult> insufficientFunds(Batch b, Op op, String currency, long amount) {
        return db.balance(b.session, b.account, currency).chain(balance -> rejected(b, op, Rejections.INSUFFICIENT_FUNDS,
                "debiting " + amount + " " + currency + " would make the balance negative",
                obj().put("currency", currency).put("balance", balance)));
    }

    private Uni<OpResult> applied(Batch b, Op op, long rev, String kind, String key, ObjectNode value, Uni<Void> event) {
        OpResult result = OpResult.applied(op.opId(), rev, value);
        JsonNode stored = stored(result);
        return db.logApplied(b.session, b.account, op.opId(), b.fingerprint, rev, kind, key, b.device, value.toString(), stored.toString())
                .chain(() -> event)
                .map(x -> accept(b, op, rev, stored, result));
    }

    private static OpResult accept(Batch b, Op op, long rev, JsonNode stored, OpResult result) {
        b.revision = rev;
        b.answered.put(op.opId(), stored);
        b.fingerprints.put(op.opId(), b.fingerprint);
        return result;
    }

    /** SHA-256 of the op's canonical JSON (members sorted), so the same op re-serialized still matches. */
    String fingerprint(Op op) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> plain = new TreeMap<>(mapper.convertValue(op, Map.class));
            plain.put("kind", op.kind());
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(plain));
            return HexFormat.of().formatHex(digest);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint " + op.opId(), e);
        }
    }

    private Uni<OpResult> rejected(Batch b, Op op, String reason, String detail, JsonNode current) {
        OpResult result = OpResult.rejected(op.opId(), reason, detail, current);
        JsonNode stored = stored(result);
        return db.logRejected(b.session, b.account, op.opId(), b.fingerprint, op.kind(), b.device, stored.toString())
                .map(x -> {
                    b.answered.put(op.opId(), stored);
                    b.fingerprints.put(op.opId(), b.fingerprint);
                    return result;
                });
    }

    /** The answer as kept for replays: everything but the op id. */
    private JsonNode stored(OpResult result) {
        ObjectNode node = mapper.valueToTree(result);
        node.remove("opId");
        return node;
    }

    private JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }

    private ObjectNode obj() {
        return mapper.createObjectNode();
    }

    /** Working state of one batch: the account's revision so far and the answers given so far. */
    private static final class Batch {
        final SqlConnection session;
        final String account;
        final String device;
        final Map<String, JsonNode> answered = new HashMap<>();
        final Map<String, String> fingerprints = new HashMap<>();
        final List<OpResult> results = new ArrayList<>();
        long revision;
        /** Fingerprint of the op being applied. */
        String fingerprint;

        Batch(SqlConnection session, String account, String device, long revision) {
            this.session = session;
            this.account = account;
            this.device = device;
            this.revision = revision;
        }
    }
}
