package io.continuum.billing.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.config.BillingConfig;
import io.continuum.testing.RepoPaths;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Uni;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link GooglePlay}'s service-account key: read once when the bean is made (at startup), not when an access token is
 * renewed (that runs on a Vert.x event loop, where reading a file would block it); an unusable key file fails the
 * Play API call as a failed {@code Uni} naming the file (PlayStoreNotifications answers that 503), it does not throw.
 * In-JVM, no Quarkus: the bean is built by hand from a real {@link BillingConfig} mapping; no HTTP is made (the key
 * is the simulator's test service account, billing-provider-simulator/src/main/resources/play-store).
 */
class GooglePlayTest {

    static final Path SIMULATOR_KEY = RepoPaths.root()
            .resolve("billing-provider-simulator/src/main/resources/play-store/service-account.json");

    @TempDir
    Path dir;

    static GooglePlay google(Path keyFile) {
        BillingConfig config = new SmallRyeConfigBuilder().withMapping(BillingConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's: "300s" as in BillingConfig
                .withDefaultValues(Map.of("continuum.billing.stripe.api-key", "sk_test_unused",
                        "continuum.billing.stripe.webhook-secrets", "whsec_unused",
                        "continuum.billing.play-store.service-account-key", keyFile.toString(),
                        "continuum.billing.play-store.token-url", "http://127.0.0.1:9/token"))
                .build().getConfigMapping(BillingConfig.class);
        return new GooglePlay(config, new ObjectMapper());
    }

    @Test
    void theKeyFileIsReadOnceWhenTheBeanIsMadeNotWhenATokenIsRenewed() throws Exception {
        Path key = Files.copy(SIMULATOR_KEY, dir.resolve("service-account.json"));
        GooglePlay google = google(key);
        Files.delete(key);

        // a renewal after the file is gone still signs: the key was not read again
        String assertion = google.assertion().await().indefinitely();
        JwtContext jwt = new JwtConsumerBuilder().setSkipSignatureVerification().setSkipAllValidators().build().process(assertion);
        JwtClaims claims = jwt.getJwtClaims();
        assertThat(jwt.getJoseObjects().get(0).getKeyIdHeaderValue()).isEqualTo("sim-sa-1");
        assertThat(claims.getIssuer()).isEqualTo(new ObjectMapper().readTree(SIMULATOR_KEY.toFile()).path("client_email").asText());
        assertThat(claims.getAudience()).containsExactly("http://127.0.0.1:9/token");
        assertThat(claims.getClaimValueAsString("scope")).isEqualTo("https://www.googleapis.com/auth/androidpublisher");
    }

    @Test
    void anUnusableKeyFileFailsThePlayCallWithAnErrorNamingTheFile() throws Exception {
        Path missing = dir.resolve("missing.json");
        GooglePlay google = google(missing);
        assertThat(google.configured()).isTrue();
        Uni<JsonNode> call = google.subscription("token"); // does not throw: a failed Uni, which the caller answers 503
        assertThatThrownBy(() -> call.await().indefinitely())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("continuum.billing.play-store.service-account-key " + missing)
                .hasMessageContaining("cannot be read").hasMessageContaining("NoSuchFileException");

        Path notAKey = Files.writeString(dir.resolve("not-a-key.json"), "{\"type\":\"service_account\"}");
        assertThatThrownBy(() -> google(notAKey).subscription("token").await().indefinitely())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(notAKey.toString()).hasMessageContaining("client_email and private_key are required");

        Path badKey = Files.writeString(dir.resolve("bad-key.json"),
                "{\"client_email\":\"a@b\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}");
        assertThatThrownBy(() -> google(badKey).subscription("token").await().indefinitely())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(badKey.toString()).hasMessageContaining("private_key is not a PKCS#8 RSA key");
    }
}
