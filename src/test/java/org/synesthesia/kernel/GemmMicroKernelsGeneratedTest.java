package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;

/**
 * {@code GemmMicroKernels.java} is what {@code tools/gen-gemm-kernels.py} writes: the generator runs on a copy of
 * itself in a temporary tree (it writes beside its own folder) and the two files must be equal. Without
 * {@code python3} the test is skipped with a message; under {@code CI=true} that is a failure.
 */
class GemmMicroKernelsGeneratedTest {
    private static final String KERNELS = "main/java/org/synesthesia/kernel/GemmMicroKernels.java";

    @Test
    void sourceEqualsTheGeneratorsOutput(@TempDir Path tmp) throws Exception {
        // the engine module's folder (src/) is the working directory; the generator is in the project's tools/
        Path script = Path.of("../tools/gen-gemm-kernels.py"), committed = Path.of(KERNELS);
        if (!Files.isRegularFile(script) || !Files.isRegularFile(committed))
            throw new AssertionError("not found: " + script.toAbsolutePath() + " or " + committed.toAbsolutePath());
        Path tools = Files.createDirectories(tmp.resolve("tools"));
        Files.copy(script, tools.resolve("gen-gemm-kernels.py"));
        Path generated = tmp.resolve("src").resolve(KERNELS);
        Files.createDirectories(generated.getParent());
        Process p;
        try {
            p = new ProcessBuilder("python3", tools.resolve("gen-gemm-kernels.py").toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            String msg = "python3 not found (" + e.getMessage() + "): cannot check GemmMicroKernels.java against its generator";
            if (SharedData.underCi()) throw new AssertionError(msg + "; under CI=true python3 is required");
            Assumptions.abort(msg);
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tools/gen-gemm-kernels.py did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), "tools/gen-gemm-kernels.py failed: " + out);
        assertEquals(Files.readString(generated), Files.readString(committed),
                "GemmMicroKernels.java differs from what tools/gen-gemm-kernels.py writes: edit the generator and rerun it");
    }
}
