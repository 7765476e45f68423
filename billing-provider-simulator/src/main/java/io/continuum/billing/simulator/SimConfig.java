package io.continuum.billing.simulator;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

@ConfigMapping(prefix = "sim")
public interface SimConfig {

    DefaultAccount defaultAccount();

    String publicUrl();

    Webhooks webhooks();

    interface DefaultAccount {
        String apiKey();

        String webhookSecret();

        String webhookUrl();
    }

    interface Webhooks {
        Duration initialBackoff();

        Duration maxBackoff();

        int maxAttempts();
    }
}
