package io.continuum.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own Keycloak users, created when the class loads and deleted after its last test:
 * {@code @RegisterExtension static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann", "ben");}
 * then {@code USERS.get("ann")}.
 */
public final class ThrowAwayUsers implements AfterAllCallback {

    private final Map<String, TestUsers.User> users = new LinkedHashMap<>();

    public ThrowAwayUsers(String... prefixes) {
        for (String prefix : prefixes) {
            users.put(prefix, TestUsers.create(prefix));
        }
    }

    public TestUsers.User get(String prefix) {
        TestUsers.User user = users.get(prefix);
        if (user == null) {
            throw new IllegalArgumentException("no throw-away user " + prefix + "; declared: " + users.keySet());
        }
        return user;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        users.values().forEach(TestUsers.User::delete);
    }
}
