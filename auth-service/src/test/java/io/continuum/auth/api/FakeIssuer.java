package io.continuum.auth.api;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.lang.JoseException;

/**
 * An issuer whose signing key the test holds, serving its JWKS like Keycloak does, so the back-channel logout
 * endpoint can be driven with every kind of good and bad logout token. (The real Keycloak path is covered end to
 * end in e2e: an admin ends a session and Keycloak itself calls the endpoint.)
 */
public class FakeIssuer implements QuarkusTestResourceLifecycleManager {

    static final String KEY_PROPERTY = "continuum.test.fake-issuer.jwk";
    static final String ISSUER_PROPERTY = "continuum.test.fake-issuer.url";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("fake-" + System.nanoTime());
            key.setAlgorithm("RS256");
            key.setUse("sig");
            byte[] jwks = new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)
                    .getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/realms/continuum/protocol/openid-connect/certs", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(jwks);
                }
            });
            server.start();
            String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/continuum";
            System.setProperty(KEY_PROPERTY, key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
            System.setProperty(ISSUER_PROPERTY, issuer);
            return Map.of("continuum.auth.backchannel.issuer", issuer);
        } catch (JoseException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
