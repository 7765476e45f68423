package io.continuum.e2e.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Predicate;


/**
 * A device on {@code /ws} for e2e scenarios and benchmarks: a JDK WebSocket. Keeps the frames it received
 * ({@code keep}) or only counts them, and can hand each frame with its arrival time (nanoTime) to a listener
 * ({@link FrameRecorder}, shared with the benchmarks' Vert.x sockets).
 */
public final class WsDevice implements AutoCloseable {

    /** One client for many devices (one selector thread), as a load generator needs. */
    public static final HttpClient CLIENT = HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(2))
            .connectTimeout(Duration.ofSeconds(20)).build();

    public final String deviceId;
    /** The frames received, parsed, in arrival order (only with {@code keep}): the recorder's list. */
    public final List<JsonNode> frames;
    /** Text frames received, kept or not: the recorder's count. */
    public final AtomicLong received;
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final FrameRecorder recorder;
    private volatile WebSocket socket;

    private WsDevice(String deviceId, boolean keep) {
        this.deviceId = deviceId;
        this.recorder = new FrameRecorder(keep);
        this.frames = recorder.frames;
        this.received = recorder.received;
    }

    /** Connects with {@code Authorization: Bearer}; {@code wsBase} like {@code ws://localhost:8080}. */
    public static CompletableFuture<WsDevice> connect(String wsBase, String token, String deviceId, boolean keep) {
        return connect(URI.create(wsBase + "/ws"), token, deviceId, keep);
    }

    /** Connects to a full socket URL, e.g. one replica's {@code ws://127.0.0.1:8083/ws?seq=41&epoch=…}. */
    public static CompletableFuture<WsDevice> connect(URI url, String token, String deviceId, boolean keep) {
        WsDevice d = new WsDevice(deviceId, keep);
        return CLIENT.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("X-Device-Id", deviceId)
                .buildAsync(url, d.new Listener())
                .thenApply(ws -> {
                    d.socket = ws;
                    return d;
                });
    }

    public static WsDevice open(String wsBase, String token, String deviceId) {
        return connect(wsBase, token, deviceId, true).orTimeout(30, TimeUnit.SECONDS).join();
    }

    public void onFrame(BiConsumer<JsonNode, Long> listener) {
        recorder.onFrame(listener);
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long at = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                recorder.record(text, at);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(5)).until(() -> frames.stream().anyMatch(match));
        return frames.stream().filter(match).findFirst().orElseThrow();
    }

    public JsonNode awaitType(String type, Duration timeout) {
        return await(f -> type.equals(f.path("type").asText()), timeout);
    }

    public boolean isOpen() {
        return !closed.isDone();
    }

    @Override
    public void close() {
        WebSocket s = socket;
        if (s != null && !closed.isDone()) {
            try {
                s.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).join();
            } catch (RuntimeException e) {
                s.abort();
            }
        }
    }

    public void abort() {
        WebSocket s = socket;
        if (s != null) {
            s.abort();
        }
    }
}
