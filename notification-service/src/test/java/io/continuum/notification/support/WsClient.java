package io.continuum.notification.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** A test device on {@code /ws}: a JDK WebSocket that records every frame it receives. */
public final class WsClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** In arrival order (the listener adds them itself: see {@link Holder#onText}). */
    public final List<JsonNode> frames;
    public final CompletableFuture<int[]> closed = new CompletableFuture<>();
    public volatile String closeReason;
    public final String deviceId;
    private final WebSocket socket;
    private final boolean reading;

    private WsClient(String deviceId, WebSocket socket, boolean reading, List<JsonNode> frames) {
        this.frames = frames;
        this.deviceId = deviceId;
        this.socket = socket;
        this.reading = reading;
    }

    public static Builder to(String baseUrl) {
        return new Builder(baseUrl);
    }

    public static final class Builder {
        private final String base;
        private String token;
        private boolean subprotocol;
        private String deviceId;
        private boolean deviceInQuery;
        private Long seq;
        private String epoch;
        private boolean reading = true;

        Builder(String base) {
            this.base = base.replaceFirst("^http", "ws");
        }

        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Sends the token as a {@code bearer.<token>} subprotocol (the browser way) instead of a header. */
        public Builder viaSubprotocol() {
            this.subprotocol = true;
            return this;
        }

        public Builder device(String deviceId) {
            this.deviceId = deviceId;
            return this;
        }

        public Builder deviceInQuery() {
            this.deviceInQuery = true;
            return this;
        }

        public Builder resume(long seq, String epoch) {
            this.seq = seq;
            this.epoch = epoch;
            return this;
        }

        /** A client that never reads (a slow consumer). */
        public Builder notReading() {
            this.reading = false;
            return this;
        }

        public CompletableFuture<WsClient> connectAsync() {
            StringBuilder q = new StringBuilder();
            if (deviceInQuery && deviceId != null) {
                q.append("deviceId=").append(deviceId).append('&');
            }
            if (seq != null) {
                q.append("seq=").append(seq).append('&');
                if (epoch != null) {
                    q.append("epoch=").append(epoch).append('&');
                }
            }
            URI uri = URI.create(base + "/ws" + (q.length() > 0 ? "?" + q.substring(0, q.length() - 1) : ""));
            WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            if (token != null) {
                if (subprotocol) {
                    b.subprotocols("continuum.v1", "bearer." + token);
                } else {
                    b.header("Authorization", "Bearer " + token);
                }
            }
            if (deviceId != null && !deviceInQuery) {
                b.header("X-Device-Id", deviceId);
            }
            Holder holder = new Holder(reading);
            return b.buildAsync(uri, holder).thenApply(ws -> {
                WsClient c = new WsClient(deviceId, ws, reading, holder.frames);
                holder.client.complete(c);
                return c;
            });
        }

        public WsClient connect() {
            return connectAsync().orTimeout(15, TimeUnit.SECONDS).join();
        }

        /** The HTTP status of a refused upgrade. */
        public int refusedStatus() {
            try {
                WsClient c = connect();
                c.close();
                return 101;
            } catch (CompletionException e) {
                if (e.getCause() instanceof WebSocketHandshakeException h) {
                    return h.getResponse().statusCode();
                }
                throw e;
            }
        }
    }

    private static final class Holder implements WebSocket.Listener {
        final CompletableFuture<WsClient> client = new CompletableFuture<>();
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        final boolean reading;
        final StringBuilder partial = new StringBuilder();

        Holder(boolean reading) {
            this.reading = reading;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(reading ? 1 : 0);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                // added here, not in client.thenAccept: frames that arrive before the handshake's future completes
                // would wait as dependents of it, and a CompletableFuture runs its dependents last-in first-out,
                // so a replay that came at once was recorded in reverse (StreamSocketTest failed on it in CI)
                try {
                    frames.add(JSON.readTree(text));
                } catch (Exception e) {
                    throw new IllegalStateException("server sent non-JSON: " + text, e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            client.thenAccept(c -> {
                c.closeReason = reason;
                c.closed.complete(new int[] {statusCode});
            });
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            client.thenAccept(c -> c.closed.complete(new int[] {-1}));
        }
    }

    public WsClient send(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    /**
     * Sends {@code text} unless the socket's output is closed already; false when it was. For a client that keeps
     * sending while the server closes on it (a flood): the server's close can shut the output between a check of
     * {@link #isClosed()} and the send.
     */
    public boolean sendUnlessClosed(String text) {
        try {
            socket.sendText(text, true).join();
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.IOException && socket.isOutputClosed()) {
                return false;
            }
            throw e;
        }
    }

    public WsClient send(Object json) {
        try {
            return send(JSON.writeValueAsString(json));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Stream frames (those with a seq) received so far. */
    public List<JsonNode> streamFrames() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode f : frames) {
            if (f.has("seq") && f.path("type").asText().contains(".")) {
                out.add(f);
            }
        }
        return out;
    }

    public List<JsonNode> ofType(String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asText())).toList();
    }

    public JsonNode awaitFrame(Predicate<JsonNode> match, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(5)).until(() -> frames.stream().anyMatch(match));
        return frames.stream().filter(match).findFirst().orElseThrow();
    }

    public JsonNode awaitType(String type) {
        return awaitFrame(f -> type.equals(f.path("type").asText()), Duration.ofSeconds(15));
    }

    public JsonNode welcome() {
        return awaitType("welcome");
    }

    /** Last stream seq received (0 when none). */
    public long lastSeq() {
        List<JsonNode> s = streamFrames();
        return s.isEmpty() ? welcome().path("resumeFrom").asLong() : s.get(s.size() - 1).path("seq").asLong();
    }

    public int awaitClose(Duration timeout) {
        return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join()[0];
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).join();
            } catch (RuntimeException e) {
                socket.abort();
            }
        }
    }

    public void abort() {
        socket.abort();
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }
}
