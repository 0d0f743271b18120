package org.synesthesia.nn;

import java.util.Arrays;
import org.synesthesia.tensor.Tensor;

/**
 * The one helper modules report their outputs to a {@link Tracer} with: a slice of a row-major buffer becomes a
 * tensor (copied) only when the tracer wants its name. Also the work grains the {@code nn} layers split row- and
 * element-wise work over {@code Parallel} with.
 */
public final class Capture {
    /** Elements below which an elementwise op is not split over threads. */
    public static final int ELEMENT_GRAIN = 1 << 15;
    /** Query rows per attention chunk at least. */
    static final int QUERY_GRAIN = 16;

    private Capture() {}

    /** Reports {@code data[off, off + numel(shape))} as a tensor of {@code shape} under {@code name}; a null name reports nothing. */
    public static void rows(Tracer tracer, String name, float[] data, int off, int... shape) {
        if (name == null || !tracer.wants(name)) return;
        int n = Math.toIntExact(Tensor.numel(shape));
        // the tracer copies what it keeps; a partial buffer is cut to size first
        tracer.capture(name, Tensor.of(off == 0 && n == data.length ? data : Arrays.copyOfRange(data, off, off + n), shape));
    }
}
