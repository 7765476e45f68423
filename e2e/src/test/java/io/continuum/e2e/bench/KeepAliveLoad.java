package io.continuum.e2e.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop HTTP/1.1 load generator of the kind wrk is: {@code threads} keep-alive connections, one blocking
 * thread each, sending the same pre-encoded GET and reading the answer with nothing else in between (status line,
 * headers, a {@code Content-Length} or chunked body). It exists because the benchmarks run the client on the same two
 * vCPUs as the services: {@code java.net.http.HttpClient} spends several times this client's CPU per request (a
 * shared selector thread, futures, header maps), and that CPU is taken from the server being measured. Latency is
 * timed per request from the first byte written to the last byte read.
 */
final class KeepAliveLoad {

    private KeepAliveLoad() {
    }

    /** A load run: {@code requests} requests, answering per-request latencies (ns) then the wall time. */
    @FunctionalInterface
    interface Load {
        long[] send(int requests) throws Exception;
    }

    /**
     * Sends {@code total} GETs of {@code url} over {@code threads} connections (split evenly), each thread sending its
     * next request as soon as the answer to the last is read (closed loop: the offered load is whatever the server
     * takes, so this measures latency at saturation); returns each request's latency in ns followed by the wall time of
     * the whole run (the layout of {@link StateSyncBenchmark#run}). Every answer must be 200.
     */
    static long[] run(int threads, int total, URI url, Map<String, String> headers) throws Exception {
        return send(threads, total, 0, url, headers);
    }

    /**
     * The same requests at a fixed offered rate (open loop, the way wrk2 measures): request {@code i} of a thread is due
     * at {@code start + i × threads / rate} (threads staggered), and its latency is counted from when it was <em>due</em>,
     * not from when a late thread got round to sending it, so time spent behind schedule (a GC pause, a descheduled
     * thread, a queue) is in the figure instead of being hidden by sending less (coordinated omission).
     */
    static long[] runAtRate(int threads, int total, double perSecond, URI url, Map<String, String> headers) throws Exception {
        return send(threads, total, perSecond, url, headers);
    }

    private static long[] send(int threads, int total, double perSecond, URI url, Map<String, String> headers) throws Exception {
        byte[] request = encode(url, headers);
        int each = total / threads;
        long[] lat = new long[each * threads + 1];
        long interval = perSecond > 0 ? (long) (threads * 1e9 / perSecond) : 0; // per thread, ns
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Connection> connections = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                connections.add(new Connection(url));
            }
            List<Future<?>> runs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int offset = t * each;
                long phase = interval * t / threads;
                int thread = t;
                runs.add(pool.submit(() -> {
                    Connection c = connections.get(thread);
                    try {
                        for (int i = 0; i < each; i++) {
                            long start = System.nanoTime();
                            if (interval > 0) {
                                long due = t0 + phase + i * interval;
                                for (long wait = due - start; wait > 0; wait = due - System.nanoTime()) {
                                    LockSupport.parkNanos(wait);
                                }
                                start = due;
                            }
                            Answer answer = c.exchangeOnce(request);
                            lat[offset + i] = System.nanoTime() - start;
                            if (answer.status() != 200) {
                                throw new IllegalStateException(url + " answered " + answer.status());
                            }
                            if (answer.close()) { // the server ends keep-alive here (nginx: keepalive_requests); a client reconnects
                                c.close();
                                c = new Connection(url);
                            }
                        }
                    } finally {
                        c.close();
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
            lat[lat.length - 1] = System.nanoTime() - t0;
            return lat;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Latency at fixed offered loads ({@link #runAtRate}): for each rate of {@code bench.read.rates} (requests/s,
     * default 1000,2000,4000), {@code bench.read.seconds} (default 10) of GETs over 8 connections after 2 s of warm-up
     * at the same rate; prints one line per rate, prefixed by {@code label}.
     */
    static void printOpenLoopRows(String label, URI url, Map<String, String> headers) throws Exception {
        int seconds = Integer.getInteger("bench.read.seconds", 10);
        for (String r : System.getProperty("bench.read.rates", "1000,2000,4000").split(",")) {
            int rate = Integer.parseInt(r.trim());
            runAtRate(8, rate * 2, rate, url, headers); // warm-up at this rate
            long[] lat = runAtRate(8, rate * seconds, rate, url, headers);
            long wall = lat[lat.length - 1];
            long[] samples = Arrays.copyOf(lat, lat.length - 1);
            Arrays.sort(samples);
            System.out.printf("%s %-24s open-loop     threads= 8 offered=%d req/s requests=%d p50=%.2f ms p99=%.2f ms p99.9=%.2f ms max=%.2f ms achieved=%.0f req/s%n",
                    label, url.getScheme() + "://" + url.getAuthority(), rate, samples.length, Floor.ms(Floor.pct(samples, 50)),
                    Floor.ms(Floor.pct(samples, 99)), Floor.ms(Floor.pct(samples, 99.9)), Floor.ms(samples[samples.length - 1]),
                    samples.length / (wall / 1e9));
        }
    }

    static byte[] encode(URI url, Map<String, String> headers) {
        return encode("GET", url, headers, null);
    }

    /** A whole HTTP/1.1 request, ready to write; {@code body} (may be null) gets its {@code Content-Length}. */
    static byte[] encode(String method, URI url, Map<String, String> headers, byte[] body) {
        StringBuilder r = new StringBuilder(method).append(' ').append(url.getRawPath());
        if (url.getRawQuery() != null) {
            r.append('?').append(url.getRawQuery());
        }
        r.append(" HTTP/1.1\r\nHost: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n");
        headers.forEach((k, v) -> r.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            r.append("Content-Length: ").append(body.length).append("\r\n");
        }
        byte[] head = r.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return head;
        }
        byte[] whole = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, whole, head.length, body.length);
        return whole;
    }

    /** One keep-alive connection for a client thread that sends requests of its own making (e.g. POSTs). */
    static final class Connection implements java.io.Closeable {
        private final Socket socket = new Socket();
        private final OutputStream out;
        private final InputStream in;

        Connection(URI server) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }

        /** Writes a request made by {@link #encode(String, URI, Map, byte[])} and reads its whole answer; its status. */
        int exchange(byte[] request) throws IOException {
            Answer answer = exchangeOnce(request);
            if (answer.close()) {
                throw new IOException("the server closes this connection after this answer (Connection: close)");
            }
            return answer.status();
        }

        /** One request and its whole answer, which may say the server closes the connection after it. */
        Answer exchangeOnce(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            return readResponse(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** An answer's status, and whether the server closes the connection after it ({@code Connection: close}). */
    record Answer(int status, boolean close) {
    }

    /** Reads one whole response. */
    static Answer readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(h.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("transfer-encoding") && h.toLowerCase().contains("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("connection") && h.toLowerCase().contains("close")) {
                close = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                skip(in, size);
                line(in);
            }
            for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
                // trailers are not used by the services; read past them
            }
        } else if (length > 0) {
            skip(in, length);
        } else if (length < 0 && status != 204 && status != 304) {
            throw new IOException("an answer without Content-Length or chunked body cannot be kept alive: " + statusLine);
        }
        return new Answer(status, close);
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed inside a body");
                }
                k = 1;
            }
            n -= k;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed by the server");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
