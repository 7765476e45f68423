package io.continuum.platform.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code continuum.security.verified-tokens.*}: the cache of bearer tokens already verified ({@link VerifiedTokens}). */
@ConfigMapping(prefix = "continuum.security.verified-tokens")
public interface VerifiedTokensConfig {

    /** Off: every request verifies its token's signature and parses its claims again (as before the cache). */
    @WithDefault("true")
    boolean enabled();

    /**
     * Most tokens kept; the least recently used go first. One entry is the token text (~1.5 KB for a Keycloak access
     * token) plus its parsed claims, a few KB in all: 2,000 entries are ~10 MB of heap and cover every device that
     * called this replica within a token's lifetime (5 min) on a busy local stack.
     */
    @WithDefault("2000")
    long maxSize();
}
