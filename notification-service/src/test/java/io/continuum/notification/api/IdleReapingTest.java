package io.continuum.notification.api;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.TestUsers;
import io.continuum.notification.live.CloseCodes;
import io.continuum.notification.support.WsClient;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Heartbeats: a client that answers pings stays; a dead one (never answers, never sends) is reaped. */
@QuarkusTest
@TestProfile(IdleReapingTest.ShortIdle.class)
@QuarkusTestResource(LocalStackResource.class)
class IdleReapingTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann", "ben", "cat");
    static final TestUsers.User ANN = USERS.get("ann");
    static final TestUsers.User BEN = USERS.get("ben");
    static final TestUsers.User CAT = USERS.get("cat");

    public static class ShortIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("continuum.notification.connection.idle-timeout", "2s",
                    "quarkus.websockets-next.server.auto-ping-interval", "500ms");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void aSocketThatNeverAnswersPingsIsClosedWhileALiveOneStays() throws Exception {
        Tokens.TokenSet alice = ANN.signIn();
        String base = root.toString().replaceAll("/$", "");
        try (WsClient alive = WsClient.to(base).token(alice.accessToken()).device("alive-1").connect();
                Socket dead = new Socket(root.getHost(), root.getPort())) {
            alive.awaitType("live");
            OutputStream out = dead.getOutputStream();
            String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
            out.write(("GET /ws HTTP/1.1\r\nHost: " + root.getHost() + ":" + root.getPort() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + alice.accessToken() + "\r\nX-Device-Id: dead-1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            dead.setSoTimeout(15_000);
            DataInputStream in = new DataInputStream(dead.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
            Instant opened = Instant.now();
            int closeCode = -1;
            while (closeCode < 0) { // read server frames (welcome, live, pings) until the close frame
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long len = b1 & 0x7F;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = in.readLong();
                }
                byte[] payload = new byte[(int) len];
                in.readFully(payload);
                if ((b0 & 0x0F) == 0x8) {
                    closeCode = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                }
            }
            assertThat(closeCode).isEqualTo(CloseCodes.IDLE_TIMEOUT);
            assertThat(Duration.between(opened, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            assertThat(alive.isClosed()).isFalse(); // it answered every ping
            alive.send(Map.of("type", "ping"));
            alive.awaitType("pong");
        }
    }
}
