package io.continuum.e2e.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.client.AccountState;
import io.continuum.client.ContinuumClient;
import io.continuum.client.ContinuumListener;
import io.continuum.client.OpRejection;
import io.continuum.testing.LocalStack;
import io.continuum.testing.TestUsers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SDK devices of one throw-away user, each with its own store directory (its "disk"), signed in with its own
 * Keycloak session, through the gateway. Closes them all at the end.
 */
final class Devices implements AutoCloseable {

    /** What one device heard, for assertions. */
    static final class Heard implements ContinuumListener {
        final List<AccountState> states = new CopyOnWriteArrayList<>();
        final List<OpRejection> rejections = new CopyOnWriteArrayList<>();
        final List<JsonNode> notifications = new CopyOnWriteArrayList<>();
        final List<String> presence = new CopyOnWriteArrayList<>();
        final List<String> signedOut = new CopyOnWriteArrayList<>();

        @Override
        public void onState(AccountState state) {
            states.add(state);
        }

        @Override
        public void onOpRejected(OpRejection rejection) {
            rejections.add(rejection);
        }

        @Override
        public void onNotification(JsonNode frame) {
            notifications.add(frame);
        }

        @Override
        public void onPresence(String deviceId, boolean online) {
            presence.add(deviceId + ":" + online);
        }

        @Override
        public void onSignedOut(String reason) {
            signedOut.add(reason);
        }
    }

    record Device(ContinuumClient client, Heard heard, Path store) {
    }

    final TestUsers.User user;
    final Path dir;
    final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<ContinuumClient> open = new ArrayList<>();

    Devices(TestUsers.User user, Path dir) {
        this.user = user;
        this.dir = dir;
    }

    /** A device signed in and started (registered, state loaded, socket opening). */
    Device start(String name, String kind) {
        Device d = build(name, kind, true);
        d.client().signInWithPassword(user.username(), user.password()).start();
        return d;
    }

    /** A device built on the store of {@code name} (the same "disk" after a restart), not yet signed in. */
    Device build(String name, String kind, boolean reSignIn) {
        return build(name, kind, reSignIn, LocalStack.GATEWAY_URL);
    }

    /** A device that reaches the servers through {@code gateway} (e.g. a {@link io.continuum.testing.TcpProxy}). */
    Device build(String name, String kind, boolean reSignIn, String gateway) {
        Heard heard = new Heard();
        Path store = dir.resolve(name);
        ContinuumClient c = ContinuumClient.builder()
                .gateway(gateway).keycloak(LocalStack.KEYCLOAK_URL)
                .device(name + "-" + run, kind, "java", name)
                .store(store).reSignInOnRevocation(reSignIn)
                .listener(heard).build();
        open.add(c);
        return new Device(c, heard, store);
    }

    void closeOne(ContinuumClient c) {
        open.remove(c);
        c.close();
    }

    @Override
    public void close() {
        open.forEach(ContinuumClient::close);
    }
}
