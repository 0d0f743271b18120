package org.synesthesia.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;

/** A converted file the simple way: general.* keys, the model's metadata, the source's tensors as they are. */
public final class SimpleGguf {
    private SimpleGguf() {}

    public static Path write(Path out, String architecture, WeightSource src, Consumer<GgufWriter> metadata) throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", architecture).put("general.name", "test").put("synesthesia.format_version", GgufValue.u32(1));
        metadata.accept(w);
        for (String n : src.names()) w.tensor(src.get(n));
        w.write(out);
        return out;
    }
}
