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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
     * Sends {@code total} GETs of {@code url} over {@code threads} connections (split evenly); returns each request's
     * latency in ns followed by the wall time of the whole run (the layout of {@link StateSyncBenchmark#run}).
     * Every answer must be 200.
     */
    static long[] run(int threads, int total, URI url, Map<String, String> headers) throws Exception {
        byte[] request = encode(url, headers);
        int each = total / threads;
        long[] lat = new long[each * threads + 1];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Socket> sockets = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
                s.setSoTimeout(30_000);
                sockets.add(s);
            }
            List<Future<?>> runs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                Socket s = sockets.get(t);
                int offset = t * each;
                runs.add(pool.submit(() -> {
                    try (s) {
                        OutputStream out = s.getOutputStream();
                        InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
                        for (int i = 0; i < each; i++) {
                            long start = System.nanoTime();
                            out.write(request);
                            out.flush();
                            int status = readResponse(in);
                            lat[offset + i] = System.nanoTime() - start;
                            if (status != 200) {
                                throw new IllegalStateException(url + " answered " + status);
                            }
                        }
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
            out.write(request);
            out.flush();
            return readResponse(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Reads one whole response; returns its status. */
    static int readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(h.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("transfer-encoding") && h.toLowerCase().contains("chunked")) {
                chunked = true;
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
        return status;
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
