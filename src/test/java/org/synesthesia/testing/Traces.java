package org.synesthesia.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.synesthesia.cli.Main;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;

/** {@code synesthesia trace MODEL} run in-process on {@code inputs}, its taps read back. */
public final class Traces {
    private Traces() {}

    /** Writes {@code inputs} to {@code dir}, runs {@code trace} with {@code options} (e.g. {@code --capture X}), checks it exits 0. */
    public static Map<String, Tensor> run(Path dir, Object model, Map<String, Tensor> inputs, String... options) throws Exception {
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("taps.safetensors");
        SafeTensors.write(in, inputs, Map.of());
        List<String> args = new ArrayList<>(List.of("--quiet", "trace", model.toString(), "--inputs", in.toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("--out", out.toString()));
        assertEquals(0, Main.run(args.toArray(String[]::new)), "trace " + model + " " + String.join(" ", options));
        return SafeTensors.readAll(out);
    }
}
