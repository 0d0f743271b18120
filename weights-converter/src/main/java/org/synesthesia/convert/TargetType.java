package org.synesthesia.convert;

import java.util.Locale;
import org.synesthesia.util.SynesthesiaException;

/**
 * What {@code --type} asks the weight matrices to become. Tensors that are not weight matrices (biases, norms,
 * embeddings, small tensors) follow {@link TensorPlan}'s rules instead.
 */
public enum TargetType {
    /** float32. */
    F32(0),
    /** IEEE half precision. */
    F16(0),
    /** ggml Q8_0: per block of 32 inputs an f16 scale and 32 int8, where the innermost dimension is whole blocks; else Q8_ROW. */
    Q8(0),
    /** Q8_ROW: linear symmetric int8 with one float32 scale per output channel. */
    Q8C(0),
    /** k-means palettization, 2^bits centroids per tensor or per group of output channels. */
    PAL8(8), PAL6(6), PAL4(4), PAL2(2);

    /** Palette index width (0 for the other types). */
    public final int bits;

    TargetType(int bits) {
        this.bits = bits;
    }

    public boolean palettized() {
        return bits > 0;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TargetType parse(String s) {
        for (TargetType t : values()) if (t.id().equals(s.toLowerCase(Locale.ROOT))) return t;
        throw new SynesthesiaException("convert: unknown --type '" + s + "' (f32, f16, q8, q8c, pal8, pal6, pal4, pal2)");
    }
}
