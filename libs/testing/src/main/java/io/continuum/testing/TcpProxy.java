package io.continuum.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small TCP forwarder for fault injection against a shared server that must not be stopped (the local Keycloak,
 * used by every engineer's tests): point the application under test at {@link #url()} instead of the server,
 * then {@link #cut()} (open connections are closed, new ones refused: "connection refused", as from a server that
 * is down) and {@link #restore()} (listens again on the same port). Nothing is faked: every byte that passes is
 * the real server's.
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile long answerDelayMillis;

    private TcpProxy(String targetHost, int targetPort, int port) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = port;
    }

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        ServerSocket first = new ServerSocket();
        first.setReuseAddress(true);
        first.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.port = first.getLocalPort();
        listen(first);
    }

    /** A proxy on a free loopback port forwarding to {@code targetHost:targetPort}. */
    public static TcpProxy start(String targetHost, int targetPort) {
        try {
            return new TcpProxy(targetHost, targetPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the TCP proxy", e);
        }
    }

    /**
     * A proxy on a free loopback port that is not listening yet (the target looks down until {@link #restore()}):
     * for code that must find its dependency unreachable at start.
     */
    public static TcpProxy reserve(String targetHost, int targetPort) {
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return new TcpProxy(targetHost, targetPort, probe.getLocalPort());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reserve a port for the TCP proxy", e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * A slow network: every chunk the target sends back waits {@code delay} before it is forwarded (requests go
     * through at once), so each answer arrives {@code delay} late. {@link Duration#ZERO} is a fast network again.
     */
    public void delayAnswers(java.time.Duration delay) {
        answerDelayMillis = delay.toMillis();
    }

    /** Closes every connection and stops listening: the target looks down. */
    public synchronized void cut() {
        ServerSocket s = server;
        server = null;
        closeQuietly(s);
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    /** Listens again on the same port: the target is back. */
    public synchronized void restore() {
        if (server != null) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listen(s);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen again on " + port, e);
        }
    }

    @Override
    public void close() {
        cut();
    }

    private void listen(ServerSocket s) {
        server = s;
        Thread acceptor = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket upstream = new Socket(targetHost, targetPort);
                    open.add(client);
                    open.add(upstream);
                    pipe(client, upstream, false);
                    pipe(upstream, client, true);
                } catch (IOException e) {
                    // closed by cut(), or the target refused: the client sees its connection end
                }
            }
        }, "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void pipe(Socket from, Socket to, boolean answers) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    long delay = answers ? answerDelayMillis : 0;
                    if (delay > 0) {
                        // the injected latency itself: this thread carries only this connection's answers, so holding
                        // it back is exactly "the network is slow", and nothing else waits behind it
                        Thread.sleep(delay);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pipe-" + port);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
