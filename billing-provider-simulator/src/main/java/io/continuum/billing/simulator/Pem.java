package io.continuum.billing.simulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The simulator's test keys and certificates ({@code app-store/*.pem}, {@code play-store/*}; NOT Apple's or Google's):
 * the one place that reads a resource and parses PEM. Any failure is a broken simulator build, hence unchecked.
 */
final class Pem {

    private Pem() {
    }

    /** The text of a resource of the simulator, e.g. {@code app-store/root.pem}. */
    static String resource(String name) {
        try (InputStream in = Pem.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the simulator's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}) in {@code pem}; {@code algorithm} EC or RSA. */
    static PrivateKey privateKey(String pem, String algorithm) {
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("simulator test key: " + e.getMessage(), e);
        }
    }

    /** The X.509 certificate in the PEM resource {@code name}. */
    static X509Certificate certificate(String name) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(resource(name).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("simulator test certificate " + name + ": " + e.getMessage(), e);
        }
    }
}
