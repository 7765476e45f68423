package io.continuum.notification.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy between the service's reactive pool and the real PostgreSQL that counts <b>protocol round trips</b>:
 * every message the client ends with {@code Sync} (extended protocol) or sends as a simple {@code Query} is one
 * request the client waits an answer for. Nothing is faked: the bytes pass unchanged.
 *
 * <p>A round trip is attributed to a marker (e.g. an account id) when the marker's bytes are in what the client sent
 * (statement parameters). Two kinds of round trips carry no parameters and are attributed by what they belong to: a
 * transaction's {@code BEGIN}/{@code COMMIT} count with the transaction when any statement inside it carries the marker,
 * and a prepare-only exchange (Parse/Describe, no Bind) counts with the execution that follows it on that connection.
 * Each attributed round trip is recorded with its SQL, so a test can print what a connect costs.
 */
public final class PgRoundTrips implements QuarkusTestResourceLifecycleManager {

    /** One attributed round trip: its SQL, prefixed {@code prepare: } for a prepare-only exchange. */
    public record Trip(long atNanos, String sql) {

        public boolean prepare() {
            return sql.startsWith("prepare: ");
        }

        /** The first 90 characters, for a report. */
        public String brief() {
            return sql.substring(0, Math.min(90, sql.length()));
        }
    }

    private static volatile PgRoundTrips current;

    private final Map<String, List<Trip>> byMarker = new ConcurrentHashMap<>();
    private final Set<String> markers = ConcurrentHashMap.newKeySet();
    private ServerSocket server;

    public static PgRoundTrips current() {
        return current;
    }

    /** Starts attributing round trips that carry {@code marker}. */
    public void watch(String marker) {
        byMarker.put(marker, new CopyOnWriteArrayList<>());
        markers.add(marker);
    }

    public List<Trip> trips(String marker) {
        return List.copyOf(byMarker.getOrDefault(marker, List.of()));
    }

    @Override
    public Map<String, String> start() {
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        current = this;
        Thread acceptor = new Thread(this::accept, "pg-round-trips");
        acceptor.setDaemon(true);
        acceptor.start();
        String db = System.getProperty("continuum.db.name", "continuum_notification_test");
        return Map.of("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + server.getLocalPort() + "/" + db);
    }

    @Override
    public void stop() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket pg = new Socket("127.0.0.1", Integer.getInteger("continuum.db.port", 5432));
                client.setTcpNoDelay(true);
                pg.setTcpNoDelay(true);
                Thread down = new Thread(() -> pump(pg, client), "pg-down");
                down.setDaemon(true);
                down.start();
                Thread up = new Thread(() -> {
                    try {
                        new ClientStream(client.getInputStream(), pg.getOutputStream()).run();
                    } catch (IOException e) {
                        // connection closed
                    } finally {
                        closeQuietly(client);
                        closeQuietly(pg);
                    }
                }, "pg-up");
                up.setDaemon(true);
                up.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Parses what one client connection sends, forwards it, and attributes its round trips. */
    private final class ClientStream {
        private final DataInputStream in;
        private final OutputStream out;
        private final Map<String, String> statements = new HashMap<>();
        // the exchange being sent (up to Sync)
        private final List<byte[]> payloads = new ArrayList<>();
        private boolean bound;
        private String sql;
        // transaction and prepare bookkeeping
        private boolean inTx;
        private final List<String> txTrips = new ArrayList<>();
        private final Set<String> txMarkers = new java.util.HashSet<>();
        private final List<String> prepared = new ArrayList<>();

        ClientStream(InputStream in, OutputStream out) {
            this.in = new DataInputStream(in);
            this.out = out;
        }

        void run() throws IOException {
            // startup: untyped messages (SSL/GSS requests are refused by the server with one byte, then a startup follows)
            while (true) {
                int len = in.readInt();
                byte[] body = in.readNBytes(len - 4);
                write(null, len, body);
                int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
                if (code != 80877103 && code != 80877104) {
                    break;
                }
            }
            while (true) {
                int type = in.read();
                if (type < 0) {
                    return;
                }
                int len = in.readInt();
                byte[] body = in.readNBytes(len - 4);
                write((byte) type, len, body);
                switch (type) {
                    case 'P' -> { // Parse: name, query
                        String name = cstring(body, 0);
                        String q = cstring(body, name.length() + 1);
                        statements.put(name, q);
                        sql = q;
                        payloads.add(body);
                    }
                    case 'B' -> { // Bind: portal, statement, parameters
                        String portal = cstring(body, 0);
                        String stmt = cstring(body, portal.length() + 1);
                        if (sql == null) {
                            sql = statements.get(stmt);
                        }
                        bound = true;
                        payloads.add(body);
                    }
                    case 'S' -> exchange(false);
                    case 'Q' -> {
                        sql = cstring(body, 0);
                        payloads.add(body);
                        exchange(true);
                    }
                    default -> {
                        // Describe, Execute, Close, Flush, password ...: part of the exchange
                    }
                }
            }
        }

        private void write(Byte type, int len, byte[] body) throws IOException {
            byte[] frame = new byte[(type == null ? 0 : 1) + 4 + body.length];
            int i = 0;
            if (type != null) {
                frame[i++] = type;
            }
            frame[i++] = (byte) (len >>> 24);
            frame[i++] = (byte) (len >>> 16);
            frame[i++] = (byte) (len >>> 8);
            frame[i++] = (byte) len;
            System.arraycopy(body, 0, frame, i, body.length);
            out.write(frame);
            out.flush();
        }

        /** One request the client now waits an answer for. */
        private void exchange(boolean simple) {
            String text = sql == null ? "" : sql.strip();
            String head = text.toLowerCase(Locale.ROOT);
            Set<String> hit = new java.util.HashSet<>();
            for (String m : markers) {
                byte[] mb = m.getBytes(StandardCharsets.UTF_8);
                for (byte[] p : payloads) {
                    if (contains(p, mb)) {
                        hit.add(m);
                        break;
                    }
                }
            }
            boolean prepareOnly = !simple && !bound;
            payloads.clear();
            bound = false;
            sql = null;
            String summary = text.replaceAll("\\s+", " ");
            if (head.startsWith("begin") || head.startsWith("start transaction")) {
                inTx = true;
                txTrips.clear();
                txMarkers.clear();
                txTrips.add(summary);
                return;
            }
            if (prepareOnly) {
                prepared.add("prepare: " + summary);
                return;
            }
            List<String> trips = new ArrayList<>(prepared);
            prepared.clear();
            trips.add(summary);
            if (inTx) {
                txTrips.addAll(trips);
                txMarkers.addAll(hit);
                if (head.startsWith("commit") || head.startsWith("rollback") || head.startsWith("end")) {
                    inTx = false;
                    record(txMarkers, txTrips);
                }
                return;
            }
            record(hit, trips);
        }

        private void record(Set<String> hit, List<String> trips) {
            long now = System.nanoTime();
            for (String m : hit) {
                List<Trip> list = byMarker.get(m);
                if (list != null) {
                    for (String t : trips) {
                        list.add(new Trip(now, t));
                    }
                }
            }
        }
    }

    private static String cstring(byte[] b, int from) {
        int end = from;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.UTF_8);
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
