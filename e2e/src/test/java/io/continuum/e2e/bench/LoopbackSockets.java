package io.continuum.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.e2e.notifications.FrameRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Many idle WebSockets from one JVM to a server on loopback, their client ends spread over the source addresses
 * 127.0.0.1, 127.0.0.2, … ({@link #PER_ADDRESS} sockets each): a client socket bound to one source address draws its
 * port from the ephemeral range (32768–60999 here, about 28,000 ports), so 50,000 sockets to one server port need at
 * least two addresses. The whole 127.0.0.0/8 is loopback on Linux, nothing to configure. Vert.x answers the server's
 * pings with pongs by itself; each socket counts the text frames it gets, and a device socket ({@link #device}) also
 * keeps them, parsed, and hands each one with its arrival time to a listener ({@link FrameRecorder}, as
 * {@code WsDevice} does on the JDK client); a device socket can send frames too ({@link Socket#send}). This client
 * costs the shared two vCPUs far less per socket than the JDK's (one selector thread and an executor for all
 * sockets), which a benchmark whose clients run beside the server needs.
 */
final class LoopbackSockets implements AutoCloseable {

    /** Sockets per source address, well inside the ephemeral port range ({@code bench.per-address}, to try it small). */
    static final int PER_ADDRESS = Integer.getInteger("bench.per-address", 20_000);

    /** One client-side socket. */
    static final class Socket {
        /** Text frames received, kept or not: the recorder's count. */
        final AtomicLong received;
        /** The frames received, parsed, in arrival order (device sockets only): the recorder's list. */
        final List<JsonNode> frames;
        /** Completes with the close code (-1 for an error) when the socket is gone. */
        final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
        private final FrameRecorder recorder;
        volatile WebSocket ws;
        volatile boolean closed;

        Socket(boolean keep) {
            this.recorder = new FrameRecorder(keep);
            this.received = recorder.received;
            this.frames = recorder.frames;
        }

        boolean isOpen() {
            return ws != null && !closed;
        }

        /** The arrival time (nanoTime) of the first frame of {@code type} (see {@link FrameRecorder#firstOfType}). */
        CompletableFuture<Long> firstOfType(String type) {
            return recorder.firstOfType(type);
        }

        /** Each frame from now on, with its arrival time (nanoTime). */
        void onFrame(BiConsumer<JsonNode, Long> listener) {
            recorder.onFrame(listener);
        }

        /**
         * Sends a text frame (e.g. a device's {@code auth} with its refreshed token); completes when Vert.x has
         * written it, fails when the socket is not open.
         */
        CompletableFuture<Void> send(String text) {
            WebSocket w = ws;
            if (w == null || closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("socket not open"));
            }
            return w.writeTextMessage(text).toCompletionStage().toCompletableFuture();
        }

        void abort() {
            WebSocket w = ws;
            if (w != null && !closed) {
                w.close();
            }
        }

        private void text(String text) {
            recorder.record(text, System.nanoTime());
        }

        private void gone(int code) {
            closed = true;
            closedWith.complete(code);
        }
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final List<WebSocketClient> clients = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();

    /** Clients for {@code connections} sockets: one per source address needed. */
    LoopbackSockets(int connections) {
        int addresses = Math.max(1, (connections + PER_ADDRESS - 1) / PER_ADDRESS);
        if (addresses > 250) {
            throw new IllegalArgumentException(connections + " sockets need more than 250 source addresses");
        }
        for (int a = 0; a < addresses; a++) {
            clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setLocalAddress("127.0.0." + (a + 1))
                    .setMaxConnections(Integer.MAX_VALUE)
                    .setConnectTimeout(30_000)));
        }
    }

    int sourceAddresses() {
        return clients.size();
    }

    /** Opens socket number {@code i} ({@code path} with its query, headers of the upgrade); it counts its frames. */
    CompletableFuture<Socket> open(int i, int port, String path, String token, String deviceId) {
        return open(i, port, path, token, deviceId, false);
    }

    /**
     * Opens a device's socket that keeps its frames (the next free source port); fails with Vert.x's
     * {@code UpgradeRejectedException} (status, headers) when the server refuses the upgrade.
     */
    CompletableFuture<Socket> device(int port, String path, String token, String deviceId) {
        return open(opened.getAndIncrement(), port, path, token, deviceId, true);
    }

    private CompletableFuture<Socket> open(int i, int port, String path, String token, String deviceId, boolean keep) {
        Socket s = new Socket(keep);
        synchronized (sockets) {
            sockets.add(s);
        }
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("Authorization", "Bearer " + token).putHeader("X-Device-Id", deviceId);
        CompletableFuture<Socket> opened = new CompletableFuture<>();
        clients.get((i / PER_ADDRESS) % clients.size()).connect(options).onComplete(ar -> {
            if (ar.failed()) {
                opened.completeExceptionally(ar.cause());
                return;
            }
            WebSocket ws = ar.result();
            ws.textMessageHandler(s::text);
            ws.closeHandler(v -> s.gone(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
            ws.exceptionHandler(e -> s.gone(-1));
            s.ws = ws;
            opened.complete(s);
        });
        return opened;
    }

    List<Socket> sockets() {
        synchronized (sockets) {
            return List.copyOf(sockets);
        }
    }

    /**
     * The soft limit of open files of a process ({@code /proc/<pid>/limits}); every socket is a file descriptor on
     * both ends. As root with CAP_SYS_RESOURCE raise it before the run ({@code ulimit -n 120000}); the benchmark's
     * JVM and the replica it starts inherit it.
     */
    static long openFilesLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return "unlimited".equals(soft) ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return Long.MAX_VALUE;
    }

    @Override
    public void close() throws Exception {
        for (WebSocketClient c : clients) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
