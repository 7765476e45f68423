package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The device's WebSocket to notification-service ({@code /ws}), kept open: resume from the last processed
 * {@code seq}/{@code epoch}, detection of lost frames ({@code prev} ≠ last seq → reconnect and resume), token refresh
 * on the live socket ({@code auth} frame before {@code tokenExpiresAt}), heartbeats (a {@code ping} every 20 s;
 * nothing heard for 45 s = dead, reconnect), reconnect with backoff and jitter to the next address of the list
 * (any replica), a 503's {@code Retry-After} honoured, {@code ack}s sent at most every 100 ms.
 *
 * <p>Runs entirely on the client's loop thread: the JDK's callbacks only hand their data over to it.
 */
final class LiveConnection {

    /** What the client does with the connection's events; always called on the loop. */
    interface Handler {
        /** Called on the loop before each connection attempt (e.g. to register the device); may throw to back off. */
        void beforeConnect();

        /** The welcome arrived: the socket is live. */
        void welcome(JsonNode welcome);

        /** A stream frame, in order, not seen before. */
        void frame(JsonNode frame);

        /** A control frame ({@code resync}, {@code presence}, {@code error}, …). */
        void control(JsonNode frame);

        void closed(int code, String reason);

        /** The session was revoked (close 4003 or an upgrade answered 401 session-revoked). */
        void revoked(String why);

        /** Cursor to persist. */
        void cursor(String epoch, long seq);
    }

    static final Duration PING_EVERY = Duration.ofSeconds(20);
    static final Duration DEAD_AFTER = Duration.ofSeconds(45);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(LiveConnection.class.getName());

    private final List<URI> addresses;
    private final String deviceId;
    private final Auth auth;
    private final HttpClient http;
    private final ScheduledExecutorService loop;
    private final Backoff backoff;
    private final Clock clock;
    private final Handler handler;

    private WebSocket socket;
    private CompletableFuture<WebSocket> sends;
    private int generation;
    private int failures;
    private int addressIndex;
    private boolean wanted;
    private String epoch;
    private long lastSeq = -1;
    private long ackedSeq = -1;
    private Instant lastHeard;
    private ScheduledFuture<?> heartbeat;
    private ScheduledFuture<?> tokenRefresh;
    private ScheduledFuture<?> reconnect;
    private ScheduledFuture<?> ack;

    LiveConnection(List<URI> addresses, String deviceId, Auth auth, HttpClient http, ScheduledExecutorService loop,
                   Backoff backoff, Clock clock, Handler handler) {
        this.addresses = addresses;
        this.deviceId = deviceId;
        this.auth = auth;
        this.http = http;
        this.loop = loop;
        this.backoff = backoff;
        this.clock = clock;
        this.handler = handler;
    }

    void resumeFrom(String epoch, long seq) {
        this.epoch = epoch;
        this.lastSeq = seq;
        this.ackedSeq = seq;
    }

    boolean open() {
        return socket != null && lastHeard != null;
    }

    long lastSeq() {
        return lastSeq;
    }

    String epoch() {
        return epoch;
    }

    void start() {
        wanted = true;
        connect();
    }

    void stop() {
        wanted = false;
        cancel(reconnect);
        drop(1000, "bye");
    }

    /** Closes the current socket (if any) and reconnects with resume: used on a lost frame. */
    void restart(String why) {
        LOG.log(System.Logger.Level.INFO, "{0}: reconnecting ({1})", deviceId, why);
        drop(1000, why);
        scheduleReconnect(Duration.ZERO);
    }

    void send(JsonNode frame) {
        if (socket == null) {
            return;
        }
        String text = frame.toString();
        sends = sends.thenCompose(ws -> ws.sendText(text, true)).exceptionally(e -> socket);
    }

    private void connect() {
        if (!wanted) {
            return;
        }
        URI base = addresses.get(addressIndex % addresses.size());
        StringBuilder url = new StringBuilder(base.toString()).append(base.getQuery() == null ? "?" : "&")
                .append("deviceId=").append(URLEncoder.encode(deviceId, StandardCharsets.UTF_8));
        if (epoch != null && lastSeq >= 0) {
            url.append("&seq=").append(lastSeq).append("&epoch=").append(URLEncoder.encode(epoch, StandardCharsets.UTF_8));
        }
        int gen = ++generation;
        String token;
        try {
            handler.beforeConnect();
            token = auth.accessToken();
        } catch (ContinuumException.SignedOut e) {
            handler.revoked(e.getMessage());
            return;
        } catch (ContinuumException e) {
            failed(gen, e, null);
            return;
        }
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .header("X-Device-Id", deviceId)
                .buildAsync(URI.create(url.toString()), new Listener(gen))
                .whenComplete((ws, err) -> loop.execute(() -> {
                    if (err != null) {
                        failed(gen, err, null);
                    } else if (gen != generation || !wanted) {
                        ws.abort();
                    }
                }));
    }

    private void failed(int gen, Throwable err, Duration retryAfter) {
        if (gen != generation) {
            return;
        }
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof WebSocketHandshakeException h) {
            int status = h.getResponse().statusCode();
            Object body = h.getResponse().body();
            if (status == 401) {
                if (body != null && body.toString().contains("session-revoked")) {
                    handler.revoked("upgrade answered 401 session-revoked");
                    return;
                }
                try {
                    auth.refresh();
                } catch (ContinuumException.SignedOut e) {
                    handler.revoked(e.getMessage());
                    return;
                } catch (ContinuumException ignored) {
                    // Keycloak unreachable: back off and try again
                }
            }
            if (status == 503) {
                retryAfter = h.getResponse().headers().firstValue("Retry-After").map(v -> {
                    try {
                        return Duration.ofSeconds(Long.parseLong(v.trim()));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }).orElse(null);
            }
            LOG.log(System.Logger.Level.INFO, "{0}: upgrade refused with {1}", deviceId, status);
        } else {
            LOG.log(System.Logger.Level.DEBUG, "{0}: cannot connect: {1}", deviceId, cause.toString());
        }
        socket = null;
        addressIndex++;
        scheduleReconnect(backoff.delay(failures++, retryAfter));
    }

    private void scheduleReconnect(Duration delay) {
        if (!wanted) {
            return;
        }
        cancel(reconnect);
        reconnect = loop.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onText(int gen, String text) {
        if (gen != generation) {
            return;
        }
        lastHeard = clock.instant();
        JsonNode f;
        try {
            f = JSON.readTree(text);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: unreadable frame ignored", deviceId);
            return;
        }
        String type = f.path("type").asText();
        if (f.has("seq") && type.contains(".")) {
            stream(f);
            return;
        }
        switch (type) {
            case "welcome" -> {
                failures = 0;
                String newEpoch = f.path("epoch").asText(null);
                if (epoch != null && !epoch.equals(newEpoch)) {
                    lastSeq = -1;
                }
                epoch = newEpoch;
                lastSeq = f.path("resumeFrom").asLong(f.path("head").asLong());
                handler.cursor(epoch, lastSeq);
                scheduleHeartbeat();
                scheduleTokenRefresh(f.path("tokenExpiresAt").asText(null));
                handler.welcome(f);
            }
            case "resync" -> {
                epoch = f.path("epoch").asText(epoch);
                lastSeq = f.path("head").asLong();
                handler.control(f);
                handler.cursor(epoch, lastSeq);
                scheduleAck();
            }
            case "auth-ok" -> scheduleTokenRefresh(f.path("tokenExpiresAt").asText(null));
            case "live" -> {
                if (f.has("seq") && lastSeq < f.path("seq").asLong()) {
                    // the seam: frames up to seq were either replayed or coalesced away
                    lastSeq = f.path("seq").asLong();
                    handler.cursor(epoch, lastSeq);
                }
            }
            case "pong" -> { }
            default -> handler.control(f);
        }
    }

    private void stream(JsonNode f) {
        long seq = f.path("seq").asLong();
        if (f.hasNonNull("epoch") && epoch != null && !epoch.equals(f.path("epoch").asText())) {
            restart("epoch changed");
            return;
        }
        if (seq <= lastSeq) {
            return;
        }
        if (f.has("prev") && lastSeq >= 0 && f.path("prev").asLong() != lastSeq) {
            restart("frame lost: prev " + f.path("prev").asLong() + ", last seq " + lastSeq);
            return;
        }
        handler.frame(f);
        lastSeq = seq;
        handler.cursor(epoch, lastSeq);
        scheduleAck();
    }

    private void scheduleAck() {
        if (ack == null || ack.isDone()) {
            ack = loop.schedule(() -> {
                if (lastSeq > ackedSeq) {
                    ackedSeq = lastSeq;
                    send(JSON.createObjectNode().put("type", "ack").put("seq", lastSeq));
                }
            }, 100, TimeUnit.MILLISECONDS);
        }
    }

    private void scheduleHeartbeat() {
        cancel(heartbeat);
        heartbeat = loop.scheduleAtFixedRate(() -> {
            if (socket == null) {
                return;
            }
            if (lastHeard != null && Duration.between(lastHeard, clock.instant()).compareTo(DEAD_AFTER) > 0) {
                restart("nothing heard for " + DEAD_AFTER.toSeconds() + " s");
                return;
            }
            send(JSON.createObjectNode().put("type", "ping"));
        }, PING_EVERY.toMillis(), PING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void scheduleTokenRefresh(String expiresAt) {
        cancel(tokenRefresh);
        if (expiresAt == null) {
            return;
        }
        long in;
        try {
            // the device's own record of the expiry (its clock may be off; the server's tokenExpiresAt is in server time)
            in = Duration.between(clock.instant(), auth.current().expiresAt()).minusSeconds(60).toMillis();
        } catch (RuntimeException e) {
            return;
        }
        tokenRefresh = loop.schedule(() -> {
            try {
                auth.refresh();
                send(JSON.createObjectNode().put("type", "auth").put("token", auth.accessToken()));
            } catch (ContinuumException.SignedOut e) {
                handler.revoked(e.getMessage());
            } catch (ContinuumException e) {
                // Keycloak unreachable: try again in a while; the socket closes with 4001 if it never works
                tokenRefresh = loop.schedule(() -> scheduleTokenRefresh(expiresAt), 15, TimeUnit.SECONDS);
            }
        }, Math.max(in, 1000), TimeUnit.MILLISECONDS);
    }

    private void onClosed(int gen, int code, String reason) {
        if (gen != generation) {
            return;
        }
        boolean wasOpen = lastHeard != null;
        drop(-1, null);
        if (wasOpen) {
            handler.closed(code, reason);
        }
        if (!wanted) {
            return;
        }
        switch (code) {
            case 4003 -> handler.revoked("socket closed 4003 " + reason);
            case 4001 -> {
                try {
                    auth.refresh();
                } catch (ContinuumException.SignedOut e) {
                    handler.revoked(e.getMessage());
                    return;
                } catch (ContinuumException ignored) {
                    // try again after the backoff
                }
                scheduleReconnect(Duration.ZERO);
            }
            default -> {
                addressIndex++;
                scheduleReconnect(backoff.delay(failures++));
            }
        }
    }

    /** Forgets the current socket; {@code code} ≥ 0 closes it politely first. */
    private void drop(int code, String reason) {
        generation++;
        cancel(heartbeat);
        cancel(tokenRefresh);
        cancel(ack);
        WebSocket ws = socket;
        socket = null;
        lastHeard = null;
        if (ws != null && code >= 0) {
            ws.sendClose(code, reason == null ? "" : reason.length() > 100 ? reason.substring(0, 100) : reason)
                    .orTimeout(2, TimeUnit.SECONDS).whenComplete((x, e) -> ws.abort());
        } else if (ws != null) {
            ws.abort();
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** JDK callbacks: gather a message, hand it to the loop, ask for the next one. */
    private final class Listener implements WebSocket.Listener {
        private final int gen;
        private final StringBuilder partial = new StringBuilder();

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(WebSocket ws) {
            loop.execute(() -> {
                if (gen == generation && wanted) {
                    socket = ws;
                    sends = CompletableFuture.completedFuture(ws);
                }
            });
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                loop.execute(() -> LiveConnection.this.onText(gen, text));
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            loop.execute(() -> {
                if (gen == generation && lastHeard != null) {
                    lastHeard = clock.instant();
                }
            });
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            loop.execute(() -> LiveConnection.this.onClosed(gen, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            loop.execute(() -> LiveConnection.this.onClosed(gen, 1006, String.valueOf(error)));
        }
    }
}
