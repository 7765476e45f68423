package io.continuum.e2e.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * What a test socket does with each whole text frame it receives, whichever WebSocket client it runs on (the JDK's
 * in {@link WsDevice}, Vert.x's in the benchmarks' loopback sockets): counts it; parses it only when someone wants it,
 * to keep it ({@code keep}) or to hand it with its arrival time to a listener, so that thousands of counting-only
 * sockets of a load generator cost no JSON. The server sends only JSON: a frame that is not fails the caller.
 */
public final class FrameRecorder {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Text frames received, all of them (kept or not). */
    public final AtomicLong received = new AtomicLong();
    /** The frames received, parsed, in arrival order (only with {@code keep}). */
    public final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final boolean keep;
    private volatile BiConsumer<JsonNode, Long> listener;
    /** Waiting for the first frame of a type: {type, future of its arrival time}. */
    private final List<Map.Entry<String, CompletableFuture<Long>>> waiting = new CopyOnWriteArrayList<>();

    public FrameRecorder(boolean keep) {
        this.keep = keep;
    }

    /** Each frame from now on, with its arrival time (nanoTime). */
    public void onFrame(BiConsumer<JsonNode, Long> listener) {
        this.listener = listener;
    }

    /**
     * The arrival time (nanoTime) of the first frame of {@code type}: a frame kept already completes it at once (with
     * the time of this call), otherwise the next one of that type does. Any number of these can wait beside the
     * {@link #onFrame} listener.
     */
    public CompletableFuture<Long> firstOfType(String type) {
        CompletableFuture<Long> first = new CompletableFuture<>();
        waiting.add(Map.entry(type, first));
        if (frames.stream().anyMatch(f -> type.equals(f.path("type").asText()))) {
            first.complete(System.nanoTime()); // a frame of that type came before this call
        }
        return first;
    }

    /** One whole text frame that arrived at {@code atNanos} (nanoTime, taken by the socket when it came in). */
    public void record(String text, long atNanos) {
        received.incrementAndGet();
        BiConsumer<JsonNode, Long> l = listener;
        if (!keep && l == null && waiting.isEmpty()) {
            return;
        }
        try {
            JsonNode frame = JSON.readTree(text);
            if (keep) {
                frames.add(frame);
            }
            if (l != null) {
                l.accept(frame, atNanos);
            }
            String type = frame.path("type").asText();
            for (Map.Entry<String, CompletableFuture<Long>> w : waiting) {
                if (w.getKey().equals(type) && w.getValue().complete(atNanos)) {
                    waiting.remove(w);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
