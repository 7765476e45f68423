package io.continuum.e2e.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.continuum.client.ContinuumClient;
import io.continuum.client.ContinuumException;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.LocalStack;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault drill: Keycloak is stopped. Tokens already issued keep working on every service (they verify signatures with
 * keys they hold); a new sign-in fails with a clear error; "log out everywhere" issued meanwhile is enforced at once
 * by every service and on every socket, and once Keycloak is back it ends the sessions there too (the old refresh
 * token is refused). Prints its figures.
 *
 * <p>Tagged {@code drill} (stops a shared server): run by {@code deploy/local/test.sh} after the e2e suite, or by
 * hand with {@code ./mvnw -pl e2e verify -Pdrills}. Self-restoring ({@code up.sh --infra} in a {@code finally}).
 */
@Tag("drill")
class KeycloakDownDrill extends Drill {

    static final List<String> READS = List.of("/api/state/snapshot", "/api/auth/devices", "/api/notifications/devices",
            "/api/billing/entitlements");

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("drill-kc");


    @Test
    void issuedTokensKeepWorkingSignInFailsClearlyAndALogoutMeanwhileIsEnforcedEverywhere() throws Exception {
        var user = USERS.get("drill-kc");
        String run = UUID.randomUUID().toString().substring(0, 8);
        ContinuumClient phone = device(user, "phone-" + run, "phone", b -> b);
        ContinuumClient tv = device(user, "tv-" + run, "tv", b -> b.reSignInOnRevocation(false));
        String probeDevice = "probe-" + run;
        Tokens.TokenSet probe = user.signIn();
        DeviceRegistrations.registerThroughGateway(probe, probeDevice);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> phone.online() && tv.online());
            Drill.script("down.sh", "keycloak");
            Instant stopped = Instant.now();
            Duration revokedAfter;
            try {
                assertThat(LocalStack.portOpen("127.0.0.1", 8180)).as("Keycloak is down").isFalse();
                for (String path : READS) {
                    assertThat(Drill.get(path, probe.accessToken(), probeDevice, Duration.ofSeconds(10)).statusCode())
                            .as(path + " with a token issued before Keycloak stopped").isEqualTo(200);
                }
                phone.credit("gold", 5, "drill");
                await().atMost(Duration.ofSeconds(10)).until(() -> tv.state().wallet("gold") == 5);

                ContinuumClient newcomer = ContinuumClient.builder().gateway(LocalStack.GATEWAY_URL).keycloak(LocalStack.KEYCLOAK_URL)
                        .device("new-" + run, "phone", "java", "new").store(disk.resolve("new")).build();
                assertThatThrownBy(() -> newcomer.signInWithPassword(user.username(), user.password()))
                        .isInstanceOf(ContinuumException.Unavailable.class).hasMessageContaining("Keycloak unreachable");
                newcomer.close();

                Instant logout = Instant.now();
                int ended = phone.logoutEverywhere().path("endedSessions").asInt();
                Drill.until(Duration.ofSeconds(5), () -> Drill.get("/api/state/snapshot", probe.accessToken(), probeDevice,
                        Duration.ofSeconds(5)).statusCode() == 401 && !tv.online(), () -> "ended " + ended + " sessions; "
                        + Drill.show("tv", tv) + " probe snapshot " + probeStatus(probe, probeDevice));
                revokedAfter = Duration.between(logout, Instant.now());
                for (String path : READS) {
                    var r = Drill.get(path, probe.accessToken(), probeDevice, Duration.ofSeconds(10));
                    assertThat(r.statusCode()).as(path + " after log out everywhere").isEqualTo(401);
                    assertThat(r.body()).as(path).contains("session-revoked");
                }
                System.out.printf("%nKeycloak down drill: log out everywhere ended %d sessions while Keycloak was down;"
                        + " old token refused by every service and the TV's socket closed %d ms after%n", ended, revokedAfter.toMillis());
            } finally {
                Drill.script("up.sh", "--infra");
            }
            Instant back = Instant.now();
            // the durable Keycloak job ends the sessions there too: the old refresh token stops working
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> refreshRefused(probe));
            Duration enforced = Duration.between(back, Instant.now());
            assertThat(user.signIn().accessToken()).as("sign-in works again").isNotBlank();
            System.out.printf("Keycloak down %d ms in all; the old refresh token was refused by Keycloak %d ms after it was back%n",
                    Duration.between(stopped, back).toMillis(), enforced.toMillis());
        } finally {
            phone.close();
            tv.close();
        }
    }

    private static boolean refreshRefused(Tokens.TokenSet t) {
        try {
            Tokens.refresh(t.refreshToken());
            return false;
        } catch (Tokens.TokenRefused refused) { // an unreachable Keycloak would throw something else
            return true;
        }
    }

    private static String probeStatus(Tokens.TokenSet probe, String device) {
        try {
            var r = Drill.get("/api/state/snapshot", probe.accessToken(), device, Duration.ofSeconds(5));
            return r.statusCode() + " " + r.body().substring(0, Math.min(200, r.body().length()));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
