package org.synesthesia.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find {@code ../shared} (goldens and real data), read in place.
 *
 * <p>The folder is {@code -Dsynesthesia.shared=PATH}, else {@code $SYNESTHESIA_SHARED}, else {@code ../shared}
 * beside the project root (the build passes that). Where it is absent, tests that need it are skipped with a
 * message saying so; under {@code CI=true} its absence is a failure instead.
 */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        String p = System.getProperty("synesthesia.shared");
        if (p == null || p.isBlank() || p.contains("${")) p = System.getenv("SYNESTHESIA_SHARED");
        if (p == null || p.isBlank()) p = "../shared";
        return Path.of(p).toAbsolutePath().normalize();
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * The path {@code relative} inside the shared folder. If it does not exist the calling test is skipped
     * (aborted, with the path in the message), or fails under CI.
     */
    public static Path require(String relative) {
        Path root = root();
        Path p = root.resolve(relative);
        if (!Files.exists(p)) {
            String msg = "shared data not found: " + p + " (set -Dsynesthesia.shared=PATH or SYNESTHESIA_SHARED to the shared folder)";
            if (underCi()) throw new AssertionError(msg + "; under CI=true the shared folder is required");
            Assumptions.abort(msg);
        }
        return p;
    }

    /** {@code golden/<set>/<file>}. */
    public static Path golden(String set, String file) {
        return require("golden/" + set + "/" + file);
    }

    /** {@code data/<relative>}. */
    public static Path data(String relative) {
        return require("data/" + relative);
    }
}
