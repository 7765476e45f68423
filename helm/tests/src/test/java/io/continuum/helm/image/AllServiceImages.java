package io.continuum.helm.image;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Builds the image of every service (and of the web app, {@code web.tar}) into
 * {@code helm/tests/target/images/<service>.tar} (OCI):
 * {@code ./mvnw -pl helm/tests -am install -Pimages -Dimage.tag=0.1.0}. Not part of the default test run (the
 * default run builds and checks one image: ImageLayoutTest).
 */
@Tag("images")
class AllServiceImages {

    @Test
    void buildEveryServiceImage() throws Exception {
        Path root = ImageLayoutTest.Images.repoRoot();
        Path runtime = ServiceImage.runtime(ImageLayoutTest.Images.runtimeCache());
        String tag = System.getProperty("image.tag", "0.1.0");
        for (String service : List.of("auth-service", "session-service", "notification-service", "billing-sync-service",
                "recommendation-service")) {
            Path out = root.resolve("helm/tests/target/images/" + service + ".tar");
            ServiceImage.build(service, tag, root.resolve(service + "/target/quarkus-app"), runtime, out,
                    root.resolve("helm/tests/target/jib-cache"));
            System.out.println("image continuum/" + service + ":" + tag + " -> " + out);
        }
        Path web = root.resolve("helm/tests/target/images/web.tar");
        WebImage.build(tag, root, ServiceImage.runtime(ImageLayoutTest.Images.runtimeCache(), WebImage.MODULES), web,
                root.resolve("helm/tests/target/jib-cache"));
        System.out.println("image continuum/web:" + tag + " -> " + web);
    }
}
