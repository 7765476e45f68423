package io.continuum.notification.api;

import io.continuum.notification.support.RawWs;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 conformance of {@code /ws}: the close codes of §7.4.1 for oversized frames and messages (1009), invalid
 * UTF-8 (1007) and protocol errors (1002), and the subprotocol negotiation. The frames are written with
 * {@link RawWs}, a plain TCP socket, because the JDK WebSocket client cannot produce them (it always masks, never
 * sends reserved opcodes, encodes text as valid UTF-8 and validates close codes). Real server, real Keycloak token.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class ProtocolConformanceTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann");
    static final TestUsers.User ANN = USERS.get("ann");

    @TestHTTPResource("/")
    URL root;

    private RawWs live(String token) throws Exception {
        RawWs ws = RawWs.open(root, token, "raw-" + UUID.randomUUID().toString().substring(0, 8), null);
        assertThat(ws.status).startsWith("HTTP/1.1 101");
        ws.awaitText("\"type\":\"live\"");
        return ws;
    }

    private static byte[] text(int bytes) {
        byte[] b = new byte[bytes];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    @Test
    void aFrameOverThe64KiBLimitClosesWith1009() throws Exception {
        String token = ANN.signIn().accessToken();
        try (RawWs ws = live(token)) {
            ws.frame(true, 0x1, text(70_000), true);
            assertThat(ws.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @Test
    void aFragmentedMessageOverTheLimitClosesWith1009InsteadOfBeingDroppedSilently() throws Exception {
        String token = ANN.signIn().accessToken();
        try (RawWs ws = live(token)) {
            ws.frame(false, 0x1, text(30_000), true)
                    .frame(false, 0x0, text(30_000), true)
                    .frame(true, 0x0, text(30_000), true); // each frame fits, the message (90,000 bytes) does not
            assertThat(ws.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @Test
    void invalidUtf8InATextMessageClosesWith1007() throws Exception {
        String token = ANN.signIn().accessToken();
        try (RawWs ws = live(token)) {
            byte[] bad = "{\"type\":\"ping\",\"x\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
            int at = new String(bad, StandardCharsets.UTF_8).indexOf('\u00e9') + 1; // second byte of é
            bad[at] = 0x28; // C3 28: not UTF-8
            ws.frame(true, 0x1, bad, true);
            assertThat(ws.awaitCloseCode()).isEqualTo(1007);
        }
    }

    @Test
    void protocolErrorsCloseWith1002() throws Exception {
        String token = ANN.signIn().accessToken();
        try (RawWs unmasked = live(token)) {
            unmasked.frame(true, 0x1, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8), false);
            assertThat(unmasked.awaitCloseCode()).isEqualTo(1002);
        }
        try (RawWs reserved = live(token)) {
            reserved.frame(true, 0x3, new byte[] {1, 2, 3}, true);
            assertThat(reserved.awaitCloseCode()).isEqualTo(1002);
        }
        try (RawWs badClose = live(token)) {
            badClose.frame(true, 0x8, new byte[] {0x03, (byte) 0xE7}, true); // close code 999
            assertThat(badClose.awaitCloseCode()).isEqualTo(1002);
        }
    }

    @Test
    void anUpgradeWhoseSubprotocolListLacksContinuumV1IsRefused() throws Exception {
        String token = ANN.signIn().accessToken();
        try (RawWs other = RawWs.open(root, token, "proto-1", "chat.v2, other.v1")) {
            assertThat(other.status).startsWith("HTTP/1.1 400");
        }
        try (RawWs ours = RawWs.open(root, token, "proto-2", "chat.v2, continuum.v1")) {
            assertThat(ours.status).startsWith("HTTP/1.1 101");
        }
    }
}
