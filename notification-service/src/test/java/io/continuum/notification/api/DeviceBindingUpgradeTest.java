package io.continuum.notification.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.notification.support.WsClient;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The upgrade of {@code /ws} accepts only a device registered to the token's account and bound to its session
 * (issue 8), and no service account. Real Keycloak tokens; registrations are real {@code device-registered} events
 * on the shared {@code auth.events}.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
@TestProfile(DeviceBindingUpgradeTest.BindingRequired.class)
class DeviceBindingUpgradeTest {

    /** The device check on (the other notification tests turn it off). */
    public static class BindingRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("continuum.devices.binding-required", "true");
        }
    }

    @TestHTTPResource("/")
    URL root;

    String base() {
        return root.toString().replaceAll("/$", "");
    }

    static String device(String kind) {
        return kind + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void anUnregisteredDeviceIsRefusedAndARegisteredOneConnectsAtOnce() {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        assertThat(WsClient.to(base()).token(alice.accessToken()).device(device("ghost")).refusedStatus()).isEqualTo(403);

        String tv = device("tv");
        DeviceRegistrations.register(alice, tv);
        // no wait: the upgrade may arrive before the registration event
        try (WsClient c = WsClient.to(base()).token(alice.accessToken()).device(tv).connect()) {
            assertThat(c.deviceId).isEqualTo(tv);
        }
        // another sign-in of the account naming the TV's id: not its device
        Tokens.TokenSet other = Tokens.signIn("alice", "alice");
        assertThat(WsClient.to(base()).token(other.accessToken()).device(tv).refusedStatus()).isEqualTo(403);
    }

    @Test
    void aServiceAccountCannotOpenAStream() {
        assertThat(WsClient.to(base()).token(Tokens.serviceToken()).device(device("svc")).refusedStatus()).isEqualTo(403);
    }
}
