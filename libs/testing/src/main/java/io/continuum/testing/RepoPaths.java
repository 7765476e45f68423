package io.continuum.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (where deploy/local/up.sh lives) and the run directory of the local stack. */
public final class RepoPaths {

    private RepoPaths() {}

    public static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/local/up.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (deploy/local/up.sh) above " + dir);
    }

    public static Path runDir() {
        String configured = System.getenv("CONTINUUM_RUN_DIR");
        return configured != null && !configured.isBlank() ? Path.of(configured) : root().resolve(".run");
    }
}
