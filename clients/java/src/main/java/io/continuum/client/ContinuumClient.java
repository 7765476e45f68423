package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Continuum device: the whole SDK behind one object.
 *
 * <pre>{@code
 * ContinuumClient phone = ContinuumClient.builder()
 *         .gateway("http://localhost:8080").keycloak("http://localhost:8180")
 *         .device("phone-7f3a", "phone", "android", "Alice's phone")
 *         .store(Path.of("/data/continuum"))
 *         .listener(new ContinuumListener() {
 *             public void onState(AccountState s) { ui.show(s); }
 *         })
 *         .build();
 * phone.signInWithPassword("alice", "alice");
 * phone.start();                                   // registers the device, loads state, opens the socket
 * phone.playback("movie-42", 754_567, 5_400_000, "paused");   // shown at once, queued on disk, sent
 * }</pre>
 *
 * <p><b>How an op travels.</b> {@link #submit} stamps the op (id, the revision this device had seen, the user's
 * action time corrected by the clock skew measured against the servers), stores it in the device's file-backed
 * queue (it survives a crash from then on), shows it in {@link #state()} at once, and wakes the sender. The sender
 * posts the queue's head in order ({@code POST /api/state/ops}, up to {@code batchSize} ops): applied and duplicate
 * answers leave the queue and their change enters the confirmed state; a rejected op (or one a 4xx names) leaves the
 * queue into the dead letters with its reason, is rolled back locally and reported ({@link ContinuumListener#onOpRejected})
 * without holding up the ops behind it; a network failure or 5xx keeps the queue as it is and retries after an
 * exponential backoff with jitter (a 503's {@code Retry-After} is a floor). Ops are answered once by the server
 * whatever the number of tries (op ids), so replays are safe.
 *
 * <p><b>How the state stays right.</b> Server changes come from the live socket (state frames carry the account
 * revision) and from {@code GET /api/state/changes}: a frame whose revision skips one makes the client pull the
 * changes it missed; {@code resync} or a 410 reloads the snapshot. The shown state is always "confirmed state +
 * queued ops", recomputed, so nothing is patched twice.
 *
 * <p>Threads: the client runs on its own thread; public methods may be called from any thread (except
 * {@link #signInWithDeviceCode}, which blocks); listeners are called on the client's thread. The ops requests run on
 * a second thread (one batch in flight), so taking an op never waits for the network.
 */
public final class ContinuumClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(ContinuumClient.class.getName());
    private static final Pattern OP_FIELD = Pattern.compile("^ops\\[(\\d+)]");
    /** Op kinds whose stale replays are settled by action time (docs/sync-protocol.md, "Offline never rewinds"). */
    private static final List<String> TIMED_KINDS = List.of("playback.set", "world.move");

    private final Builder config;
    private final Clock clock;
    private final HttpClient http;
    private final Auth auth;
    private final Api api;
    private final OfflineStore store;
    private final Backoff backoff;
    private final ScheduledExecutorService loop;
    private final LiveConnection live;
    private final LocalState local = new LocalState();
    private final List<ContinuumListener> listeners = new CopyOnWriteArrayList<>();
    private volatile AccountState view;
    private volatile boolean started;
    private volatile boolean networkEnabled = true;
    private volatile boolean online;
    private volatile Thread loopThread;
    private boolean registered;
    private int sendFailures;
    private int isolate;
    private ScheduledFuture<?> sendTimer;
    /** The confirmed state changed since it was last written (loop-confined). */
    private boolean stateDirty;
    /** The stream cursor not written yet, {@code epoch:seq} (loop-confined). */
    private String unsavedCursor;
    private ScheduledFuture<?> persistTimer;
    /** A batch is on the wire (loop-confined). */
    private boolean sending;
    /** Runs the ops requests, so that the loop never waits on the network for them. */
    private final java.util.concurrent.ExecutorService sender;

    private ContinuumClient(Builder b) {
        this.config = b;
        this.clock = b.clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.auth = new Auth(b.keycloakUrl, b.realm, b.clientId, http, clock);
        this.api = new Api(b.gatewayUrl, b.deviceId, auth, http, clock);
        this.store = OfflineStore.open(b.storeDir, b.deviceId);
        this.backoff = new Backoff(b.backoffBase, b.backoffMax);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "continuum-" + b.deviceId);
            t.setDaemon(true);
            loopThread = t;
            return t;
        });
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "continuum-" + b.deviceId + "-send");
            t.setDaemon(true);
            return t;
        });
        this.listeners.addAll(b.listeners);
        this.live = new LiveConnection(b.webSocketUrls(), b.deviceId, auth, http, loop,
                new Backoff(b.backoffBase, b.backoffMax), clock, new Live());
        auth.onRefreshToken(t -> store.put("refreshToken", config.keepRefreshToken ? t : null));
        api.onRevocation(why -> onLoop(() -> {
            reSignIn(why);
            return null;
        }));
        store.get("state").ifPresent(local::restore);
        store.get("cursor").ifPresent(c -> {
            int at = c.lastIndexOf(':');
            live.resumeFrom(c.substring(0, at), Long.parseLong(c.substring(at + 1)));
        });
        view = local.view(queuedBodies());
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- sign-in

    /** Password grant; the credentials are kept in memory to sign in again after a revocation (tools and tests). */
    public ContinuumClient signInWithPassword(String username, String password) {
        auth.signInWithPassword(username, password, config.reSignIn);
        return this;
    }

    /**
     * The Device Authorization Grant for TVs and consoles: {@code show} gets the code to display; blocks until the
     * user approved on another device (or the code expired).
     */
    public ContinuumClient signInWithDeviceCode(java.util.function.Consumer<Auth.DeviceCode> show) {
        auth.signInWithDeviceCode(show);
        return this;
    }

    /** Signs in with the refresh token kept by an earlier run (if {@code keepRefreshToken}); false if none or refused. */
    public boolean signInWithStoredToken() {
        return store.get("refreshToken").map(t -> {
            try {
                auth.signInWithRefreshToken(t);
                return true;
            } catch (ContinuumException e) {
                return false;
            }
        }).orElse(false);
    }

    /** The account (token {@code sub}) and Keycloak session ({@code sid}) of the current sign-in. */
    public Auth.Tokens session() {
        return auth.current();
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Goes online: registers this device (bound to the session; writes and the socket need it), brings the state up
     * to date (snapshot on first start, else the changes since the stored revision), opens the live socket, and
     * starts sending the queue. Throws if the device cannot be registered (e.g. {@code 409}: the session is bound
     * to another device). Works offline too: when the servers cannot be reached the client keeps retrying.
     */
    public ContinuumClient start() {
        onLoop(() -> {
            started = true;
            if (networkEnabled) {
                goOnline();
            }
            return null;
        });
        return this;
    }

    /**
     * Turns the network off or on for this client ("airplane mode"): off closes the socket and holds the queue; on
     * reconnects, catches up and replays the queue in order.
     */
    public void setNetworkEnabled(boolean enabled) {
        onLoop(() -> {
            networkEnabled = enabled;
            if (!started) {
                return null;
            }
            if (enabled) {
                goOnline();
            } else {
                live.stop();
                cancel(sendTimer);
                setOnline(false);
            }
            return null;
        });
    }

    @Override
    public void close() {
        onLoop(() -> {
            started = false;
            live.stop();
            cancel(sendTimer);
            cancel(persistTimer);
            persistNow(); // what a clean close has seen is on disk
            return null;
        });
        loop.shutdown();
        sender.shutdownNow();
        try {
            loop.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    // ---------------------------------------------------------------- state and ops

    /** The state shown now: confirmed + this device's queued ops. */
    public AccountState state() {
        return view;
    }

    /** True when the live socket is open. */
    public boolean online() {
        return online;
    }

    /** Ops waiting in the queue. */
    public int queued() {
        return store.size();
    }

    /** Ops the server refused, with their reasons (the store's dead letters). */
    public List<OfflineStore.DeadOp> rejectedOps() {
        return store.deadLetters();
    }

    /** The measured offset: server clock minus this device's clock. */
    public Duration clockSkew() {
        return api.clockSkew();
    }

    /**
     * Makes an op: stamped, stored in the queue, shown at once, sent when possible. {@code op} has the sync
     * protocol's members ({@code kind}, …); {@code opId} is generated when missing.
     *
     * @return the op id
     */
    public String submit(ObjectNode op) {
        ObjectNode o = op.deepCopy();
        if (!o.hasNonNull("opId")) {
            o.put("opId", config.deviceId + "-" + UUID.randomUUID());
        }
        if (TIMED_KINDS.contains(o.path("kind").asText())) {
            Instant actedAt = clock.instant().plus(api.clockSkew());
            if (!o.has("actedAt")) {
                o.put("actedAt", actedAt.toString());
            }
            if (!o.has("seenRevision")) {
                o.put("seenRevision", onLoop(local::revision));
            }
        }
        store.enqueue(o);
        onLoop(() -> {
            publishView();
            sendSoon(Duration.ZERO);
            return null;
        });
        return o.path("opId").asText();
    }

    /** {@code playback.set}: play, pause, seek or stop at a position. */
    public String playback(String contentId, long positionMs, long durationMs, String state) {
        return submit(op("playback.set").put("contentId", contentId).put("positionMs", positionMs)
                .put("durationMs", durationMs).put("state", state));
    }

    public String credit(String currency, long amount, String reason) {
        return submit(op("wallet.credit").put("currency", currency).put("amount", amount).put("reason", reason));
    }

    public String debit(String currency, long amount, String reason) {
        return submit(op("wallet.debit").put("currency", currency).put("amount", amount).put("reason", reason));
    }

    /** {@code game.purchase}: debits the price and grants the item, atomically, or does neither. */
    public String purchase(String currency, long price, String itemId, long quantity) {
        return submit(op("game.purchase").put("currency", currency).put("price", price).put("itemId", itemId)
                .put("quantity", quantity));
    }

    public String move(String zone, double x, double y, double z) {
        return submit(op("world.move").put("zone", zone).put("x", x).put("y", y).put("z", z));
    }

    public String advanceReadMarker(String channel, long seq) {
        return submit(op("read-marker.advance").put("channel", channel).put("seq", seq));
    }

    public static ObjectNode op(String kind) {
        return JSON.createObjectNode().put("kind", kind);
    }

    /** Sends the queue now (no waiting for a backoff timer). */
    public void flush() {
        onLoop(() -> {
            cancel(sendTimer);
            sendQueue();
            return null;
        });
    }

    /** Loads the snapshot again (e.g. after the user asked for a refresh). */
    public void reload() {
        onLoop(() -> {
            loadSnapshot();
            return null;
        });
    }

    // ---------------------------------------------------------------- account calls (online only)

    /** The account's devices ({@code GET /api/auth/devices}). */
    public JsonNode devices() {
        return api.get("/api/auth/devices");
    }

    /**
     * Ends every session of the account (this one too): every socket closes, every token and refresh token is
     * refused. This client forgets its tokens and stops; {@link ContinuumListener#onSignedOut} is called.
     */
    public JsonNode logoutEverywhere() {
        JsonNode answer = api.post("/api/auth/logout-everywhere", null);
        onLoop(() -> {
            signedOut("logged out everywhere from this device");
            return null;
        });
        return answer;
    }

    /** Posts a chat message (idempotent per {@code clientMessageId}). */
    public JsonNode sendChat(String channelId, String clientMessageId, String body) {
        return api.post("/api/notifications/channels/" + enc(channelId) + "/messages",
                Map.of("clientMessageId", clientMessageId, "body", body));
    }

    public JsonNode createChannel(String name, List<String> memberAccountIds) {
        return api.post("/api/notifications/channels", Map.of("name", name, "members", memberAccountIds));
    }

    /** Marks a notification read on this device: the account's other devices clear it. */
    public JsonNode markRead(String notificationId) {
        return api.post("/api/notifications/read", Map.of("id", notificationId));
    }

    /** Any other call to the gateway, as this device. */
    public Api api() {
        return api;
    }

    public void addListener(ContinuumListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    public String deviceId() {
        return config.deviceId;
    }

    // ---------------------------------------------------------------- internals (on the loop)

    private void goOnline() {
        try {
            register();
            if (local.revision() == 0 && store.get("state").isEmpty()) {
                loadSnapshot();
            } else {
                pullChanges();
            }
        } catch (ContinuumException.SignedOut e) {
            signedOut(e.getMessage());
            return;
        } catch (ContinuumException.Problem e) {
            throw e;
        } catch (ContinuumException e) {
            LOG.log(System.Logger.Level.INFO, "{0}: servers unreachable at start ({1}); working offline", config.deviceId, e.getMessage());
        }
        live.start();
        sendSoon(Duration.ZERO);
    }

    private void ensureRegistered() {
        if (!registered) {
            register();
        }
    }

    private void register() {
        registered = false;
        api.post("/api/auth/devices", Map.of("deviceId", config.deviceId, "kind", config.kind,
                "platform", config.platform, "displayName", config.displayName));
        registered = true;
    }

    private void reSignIn(String why) {
        try {
            auth.reSignIn(why);
            registered = false;
            register();
        } catch (ContinuumException.SignedOut e) {
            signedOut(e.getMessage());
            throw e;
        }
    }

    private void signedOut(String reason) {
        boolean was = started;
        started = false;
        registered = false;
        auth.forget();
        store.put("refreshToken", null);
        live.stop();
        cancel(sendTimer);
        setOnline(false);
        if (was) {
            listeners.forEach(l -> l.onSignedOut(reason));
        }
    }

    private void sendSoon(Duration delay) {
        if (!started || !networkEnabled) {
            return;
        }
        if (sendTimer != null && !sendTimer.isDone()) {
            if (delay.isZero() && sendTimer.getDelay(TimeUnit.MILLISECONDS) > 0 && sendFailures == 0) {
                cancel(sendTimer);
            } else {
                return;
            }
        }
        sendTimer = loop.schedule(this::sendQueue, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Posts the queue's head; reschedules itself until the queue is empty or the servers fail. The request runs on
     * the sender thread, never on the loop: a user's op (and every frame) is taken at once even while a batch is on
     * the wire — a loop blocked on the network had made {@link #submit} wait for the previous batch's round trip.
     * One batch is in flight at a time (the queue's order is the order ops are applied).
     */
    private void sendQueue() {
        // this run is no longer pending: without this, the sendSoon at its end saw its own (running) timer and
        // scheduled nothing, and a queue longer than two batches stalled until the next op
        sendTimer = null;
        if (!started || !networkEnabled || sending) {
            return;
        }
        List<OfflineStore.QueuedOp> batch = store.head(isolate > 0 ? 1 : config.batchSize);
        if (batch.isEmpty()) {
            return;
        }
        ArrayNode ops = JSON.createArrayNode();
        batch.forEach(q -> ops.add(q.op()));
        boolean needsRegistration = !registered;
        sending = true;
        sender.execute(() -> {
            JsonNode answer = null;
            RuntimeException failure = null;
            try {
                if (needsRegistration) {
                    onLoop(() -> {
                        ensureRegistered();
                        return null;
                    });
                }
                answer = api.post("/api/state/ops", Map.of("ops", ops));
            } catch (RuntimeException e) {
                failure = e;
            }
            JsonNode a = answer;
            RuntimeException f = failure;
            try {
                loop.execute(() -> {
                    sending = false;
                    sent(batch, a, f);
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // the client was closed meanwhile: the ops stay queued and are answered as duplicates next time
            }
        });
    }

    /** A batch's answer (or failure), back on the loop. */
    private void sent(List<OfflineStore.QueuedOp> batch, JsonNode answer, RuntimeException failure) {
        if (failure instanceof ContinuumException.Problem p) {
            if (!registered) {
                LOG.log(System.Logger.Level.WARNING, "{0}: device registration refused: {1}", config.deviceId, p.getMessage());
                sendTimer = loop.schedule(this::sendQueue, backoff.delay(sendFailures++).toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            poison(batch, p);
            publishView();
            sendSoon(Duration.ZERO);
            return;
        }
        if (failure instanceof ContinuumException.SignedOut e) {
            signedOut(e.getMessage());
            return;
        }
        if (failure != null) {
            store.countAttempt(batch.stream().map(OfflineStore.QueuedOp::opId).toList());
            Duration wait = backoff.delay(sendFailures++,
                    failure instanceof ContinuumException.Unavailable u ? u.retryAfter : null);
            LOG.log(failure instanceof ContinuumException.Unavailable ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                    "{0}: sending {1} ops failed ({2}); again in {3} ms", config.deviceId, batch.size(), failure.getMessage(), wait.toMillis());
            if (started && networkEnabled) {
                sendTimer = loop.schedule(this::sendQueue, wait.toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
        }
        sendFailures = 0;
        if (isolate > 0) {
            isolate--;
        }
        boolean gap = false;
        JsonNode results = answer.path("results");
        for (int i = 0; i < results.size() && i < batch.size(); i++) {
            gap |= settle(batch.get(i), results.get(i));
        }
        if (gap || answer.path("revision").asLong() > local.revision()) {
            try {
                pullChanges();
            } catch (ContinuumException e) {
                LOG.log(System.Logger.Level.INFO, "{0}: pulling changes failed: {1}", config.deviceId, e.getMessage());
            }
        }
        saveState();
        publishView();
        sendSoon(Duration.ZERO);
    }

    /** Applies one op's answer; true when its change could not be folded in (a revision is missing). */
    private boolean settle(OfflineStore.QueuedOp q, JsonNode result) {
        String status = result.path("status").asText();
        JsonNode r = "duplicate".equals(status) ? result.path("original") : result;
        String outcome = "duplicate".equals(status) ? r.path("status").asText() : status;
        boolean gap = false;
        if ("applied".equals(outcome)) {
            String[] kk = changeKey(q.op());
            if (kk != null) {
                gap = local.apply(r.path("revision").asLong(), kk[0], kk[1], config.deviceId, q.opId(), r.path("value"))
                        == LocalState.Fold.GAP;
            }
            store.remove(q.opId());
        } else if ("rejected".equals(outcome)) {
            reject(q, r.path("reason").asText("rejected"), r.path("detail").asText(""), r.get("current"));
        } else {
            store.remove(q.opId());
        }
        local.answered(q.opId());
        return gap;
    }

    /** A 4xx for a batch: the op it names leaves the queue; if none is named, send one op at a time to find it. */
    private void poison(List<OfflineStore.QueuedOp> batch, ContinuumException.Problem p) {
        String field = p.field();
        Matcher m = field == null ? null : OP_FIELD.matcher(field);
        if (m != null && m.find() && Integer.parseInt(m.group(1)) < batch.size()) {
            reject(batch.get(Integer.parseInt(m.group(1))), "invalid", p.getMessage(), null);
        } else if (batch.size() == 1) {
            reject(batch.get(0), p.status == 413 ? "too-large" : "invalid", p.getMessage(), null);
        } else {
            isolate = batch.size();
        }
    }

    private void reject(OfflineStore.QueuedOp q, String reason, String detail, JsonNode current) {
        store.deadLetter(q.opId(), reason, detail);
        local.answered(q.opId());
        LOG.log(System.Logger.Level.INFO, "{0}: op {1} rejected: {2} {3}", config.deviceId, q.opId(), reason, detail);
        OpRejection rej = new OpRejection(q.opId(), q.op(), reason, detail, current);
        listeners.forEach(l -> l.onOpRejected(rej));
    }

    /** The change kind and key an op writes (the sync protocol's table). */
    static String[] changeKey(JsonNode op) {
        return switch (op.path("kind").asText()) {
            case "playback.set" -> new String[] {"playback", op.path("contentId").asText()};
            case "wallet.credit", "wallet.debit" -> new String[] {"wallet", op.path("currency").asText()};
            case "inventory.grant", "inventory.consume" -> new String[] {"inventory", op.path("itemId").asText()};
            case "game.purchase" -> new String[] {"purchase", op.path("itemId").asText()};
            case "achievement.unlock" -> new String[] {"achievement", op.path("achievementId").asText()};
            case "world.move" -> new String[] {"world-position", "position"};
            case "profile.put" -> new String[] {"profile", "profile"};
            case "preferences.put" -> new String[] {"preferences", "preferences"};
            case "read-marker.advance" -> new String[] {"read-marker", op.path("channel").asText()};
            default -> null;
        };
    }

    private void loadSnapshot() {
        local.loadSnapshot(api.get("/api/state/snapshot"));
        saveState();
        publishView();
    }

    /** Pulls every change after the confirmed revision; a 410 reloads the snapshot. */
    private void pullChanges() {
        try {
            boolean more = true;
            while (more) {
                JsonNode page = api.get("/api/state/changes?since=" + local.revision() + "&limit=1000");
                for (JsonNode c : page.path("changes")) {
                    local.apply(c.path("revision").asLong(), c.path("kind").asText(), c.path("key").asText(),
                            c.path("deviceId").asText(null), c.path("opId").asText(null), c.path("value"));
                }
                more = page.path("hasMore").asBoolean(false) && page.path("changes").size() > 0;
            }
        } catch (ContinuumException.Problem p) {
            if (p.status != 410) {
                throw p;
            }
            if (p.body.path("historyFrom").asLong(0) > local.revision()) {
                // offline longer than the server's op history: queued ops could be applied twice (docs/sync-protocol.md)
                for (OfflineStore.QueuedOp q : store.all()) {
                    reject(q, "history-expired", "offline longer than the server keeps op answers; reloaded the snapshot", null);
                }
            }
            loadSnapshot();
            return;
        }
        saveState();
        publishView();
    }

    /**
     * Marks the confirmed state for the store; it is written with the stream cursor, together, at most every
     * {@code persistInterval} ({@link #persistSoon}). The confirmed state is a copy of the server's, so what a crash
     * loses of it is read again: the device restarts from the older state and cursor and the server replays what
     * came after (the user's own ops are in the queue, written before {@link #submit} returns). Writing the whole
     * state (one JSON document, which grows with the account) and the cursor on every frame and every answer cost
     * more CPU than anything else the SDK does (two H2 commits per frame; SdkPropagationBenchmark's JFR).
     */
    private void saveState() {
        stateDirty = true;
        persistSoon();
    }

    private void persistSoon() {
        if (persistTimer == null || persistTimer.isDone()) {
            persistTimer = loop.schedule(this::persistNow, config.persistInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Writes the state and the cursor that are due, in one transaction (on the loop). */
    private void persistNow() {
        java.util.Map<String, String> due = new java.util.HashMap<>();
        if (stateDirty) {
            due.put("state", local.save());
        }
        if (unsavedCursor != null) {
            due.put("cursor", unsavedCursor);
        }
        stateDirty = false;
        unsavedCursor = null;
        if (due.isEmpty()) {
            return;
        }
        try {
            store.putAll(due);
        } catch (IllegalStateException e) {
            // the disk refused (full, gone): keep it due, so the next change or the close tries again
            stateDirty |= due.containsKey("state");
            if (unsavedCursor == null) {
                unsavedCursor = due.get("cursor");
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: writing the state to the device store failed: {1}", config.deviceId, e.getMessage());
        }
    }

    private void publishView() {
        AccountState next = local.view(queuedBodies());
        AccountState before = view;
        view = next;
        if (before == null || before.revision() != next.revision() || before.pending() != next.pending()
                || !before.json().equals(next.json())) {
            listeners.forEach(l -> l.onState(next));
        }
    }

    private List<ObjectNode> queuedBodies() {
        List<ObjectNode> out = new ArrayList<>();
        store.all().forEach(q -> out.add(q.op()));
        return out;
    }

    private void setOnline(boolean now) {
        if (online != now) {
            online = now;
            listeners.forEach(l -> l.onConnection(now));
        }
    }

    /** The live socket's events, on the loop. */
    private final class Live implements LiveConnection.Handler {
        private java.util.Set<String> onlineDevices = java.util.Set.of();

        @Override
        public void beforeConnect() {
            ensureRegistered();
        }

        @Override
        public void welcome(JsonNode welcome) {
            setOnline(true);
            try {
                pullChanges();
            } catch (ContinuumException e) {
                LOG.log(System.Logger.Level.INFO, "{0}: catch-up after connect failed: {1}", config.deviceId, e.getMessage());
            }
            sendSoon(Duration.ZERO);
        }

        @Override
        public void frame(JsonNode f) {
            String type = f.path("type").asText();
            JsonNode data = f.path("data");
            if (f.hasNonNull("revision") && (type.startsWith("continuum.playback.position-changed")
                    || type.startsWith("continuum.state.changed"))) {
                String kind = type.startsWith("continuum.playback") ? "playback" : data.path("kind").asText();
                String key = "playback".equals(kind) && !data.has("key") ? data.path("contentId").asText() : data.path("key").asText();
                JsonNode value = data.has("value") ? data.path("value") : playbackValue(data);
                LocalState.Fold fold = local.apply(f.path("revision").asLong(), kind, key, f.path("origin").asText(null),
                        data.path("opId").asText(null), value);
                if (fold == LocalState.Fold.GAP) {
                    try {
                        pullChanges();
                    } catch (ContinuumException e) {
                        LOG.log(System.Logger.Level.INFO, "{0}: pulling missed changes failed: {1}", config.deviceId, e.getMessage());
                    }
                } else if (fold == LocalState.Fold.APPLIED) {
                    saveState();
                    publishView();
                }
                return;
            }
            if (type.startsWith("continuum.billing.")) {
                listeners.forEach(l -> l.onEntitlements(f));
            } else {
                listeners.forEach(l -> l.onNotification(f));
            }
        }

        @Override
        public void control(JsonNode f) {
            switch (f.path("type").asText()) {
                case "resync" -> {
                    try {
                        loadSnapshot();
                    } catch (ContinuumException e) {
                        LOG.log(System.Logger.Level.INFO, "{0}: snapshot after resync failed: {1}", config.deviceId, e.getMessage());
                    }
                }
                case "presence" -> presence(f);
                case "error" -> LOG.log(System.Logger.Level.WARNING, "{0}: the server refused a frame: {1}", config.deviceId, f);
                default -> { }
            }
        }

        /**
         * A presence frame is a snapshot of the account's online devices (docs/notifications.md), not a delta: the
         * listeners hear of each device whose state differs from the previous snapshot. Frames are read on the socket's
         * thread only, so the previous snapshot needs no lock.
         */
        private void presence(JsonNode f) {
            java.util.Set<String> now = new java.util.HashSet<>();
            f.path("online").forEach(d -> now.add(d.path("deviceId").asText()));
            for (String id : now) {
                if (!onlineDevices.contains(id)) {
                    listeners.forEach(l -> l.onPresence(id, true));
                }
            }
            for (String id : onlineDevices) {
                if (!now.contains(id)) {
                    listeners.forEach(l -> l.onPresence(id, false));
                }
            }
            onlineDevices = now;
        }

        @Override
        public void closed(int code, String reason) {
            setOnline(false);
        }

        @Override
        public void revoked(String why) {
            try {
                reSignIn(why);
                live.restart("signed in again");
            } catch (ContinuumException.SignedOut e) {
                // signedOut() already told the listeners
            } catch (ContinuumException e) {
                LOG.log(System.Logger.Level.INFO, "{0}: sign-in again failed ({1}); retrying", config.deviceId, e.getMessage());
                loop.schedule(() -> revoked(why), 5, TimeUnit.SECONDS);
            }
        }

        @Override
        public void cursor(String epoch, long seq) {
            if (epoch != null) {
                unsavedCursor = epoch + ":" + seq; // written with the state it belongs to (persistNow)
                persistSoon();
            }
        }
    }

    private static JsonNode playbackValue(JsonNode data) {
        ObjectNode v = data.deepCopy();
        v.remove("opId");
        long d = v.path("durationMs").asLong();
        v.put("finished", d > 0 && v.path("positionMs").asLong() >= 0.95 * d);
        return v;
    }

    /** Runs on the loop and waits (inline when already on it): the single owner of the mutable state. */
    private <T> T onLoop(Callable<T> task) {
        if (Thread.currentThread() == loopThread) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new ContinuumException(e.getMessage(), e);
            }
        }
        try {
            return loop.submit(task).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ContinuumException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContinuumException("interrupted", e);
        } catch (TimeoutException e) {
            throw new ContinuumException("the client's thread is stuck", e);
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Configuration of a {@link ContinuumClient}; every setting has a local default. */
    public static final class Builder {
        String gatewayUrl = "http://localhost:8080";
        String keycloakUrl = "http://localhost:8180";
        String realm = "continuum";
        String clientId = "continuum-app";
        List<URI> webSockets;
        String deviceId = "device-" + UUID.randomUUID().toString().substring(0, 8);
        String kind = "desktop";
        String platform = "java";
        String displayName = "Java device";
        Path storeDir = Path.of(System.getProperty("user.home"), ".continuum");
        int batchSize = 100;
        Duration persistInterval = Duration.ofMillis(200);
        Duration backoffBase = Duration.ofMillis(200);
        Duration backoffMax = Duration.ofSeconds(30);
        boolean reSignIn = true;
        boolean keepRefreshToken = true;
        Clock clock = Clock.systemUTC();
        final List<ContinuumListener> listeners = new ArrayList<>();

        /** The gateway, e.g. {@code http://localhost:8080}; the socket defaults to its {@code /ws}. */
        public Builder gateway(String url) {
            this.gatewayUrl = url;
            return this;
        }

        public Builder keycloak(String url) {
            this.keycloakUrl = url;
            return this;
        }

        public Builder realm(String realm, String clientId) {
            this.realm = realm;
            this.clientId = clientId;
            return this;
        }

        /** Socket addresses to rotate through on reconnect (replicas or gateways); default: the gateway's {@code /ws}. */
        public Builder webSockets(List<URI> urls) {
            this.webSockets = List.copyOf(urls);
            return this;
        }

        /** This device: a stable id (kept across runs), its kind ({@code phone|tablet|desktop|tv|console|web}), … */
        public Builder device(String deviceId, String kind, String platform, String displayName) {
            this.deviceId = deviceId;
            this.kind = kind;
            this.platform = platform;
            this.displayName = displayName;
            return this;
        }

        /** Directory of the device's store (queue, last state, cursor, refresh token). */
        public Builder store(Path dir) {
            this.storeDir = dir;
            return this;
        }

        /** Ops per {@code POST /api/state/ops} (1…500). */
        public Builder batchSize(int n) {
            if (n < 1 || n > 500) {
                throw new IllegalArgumentException("batchSize must be 1…500");
            }
            this.batchSize = n;
            return this;
        }

        /**
         * How long a confirmed change may wait before the state and the stream cursor are written to the device's
         * store (0…10 s; default 200 ms). A crash loses at most this much of them, and the server replays it; the
         * user's own ops are written at once, whatever this is.
         */
        public Builder persistInterval(Duration d) {
            if (d.isNegative() || d.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("persistInterval must be 0…10 s");
            }
            this.persistInterval = d;
            return this;
        }

        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /** Sign in again by itself when the session is revoked (only with a password sign-in); default true. */
        public Builder reSignInOnRevocation(boolean on) {
            this.reSignIn = on;
            return this;
        }

        /** Keep the refresh token in the store for {@link #signInWithStoredToken()}; default true. */
        public Builder keepRefreshToken(boolean on) {
            this.keepRefreshToken = on;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder listener(ContinuumListener l) {
            listeners.add(l);
            return this;
        }

        List<URI> webSocketUrls() {
            if (webSockets != null && !webSockets.isEmpty()) {
                return webSockets;
            }
            return List.of(URI.create(gatewayUrl.replaceFirst("^http", "ws").replaceAll("/+$", "") + "/ws"));
        }

        public ContinuumClient build() {
            return new ContinuumClient(this);
        }
    }
}
