package org.synesthesia.convert;

import java.util.Arrays;

/**
 * One tensor of a conversion: its type before and after, bytes before and after, and the reconstruction SNR
 * {@code 10 log10(sum w^2 / sum (w - w')^2)} in dB of the written values w' against the source's w
 * (+Infinity when identical, NaN for integer tensors).
 */
public record LayerReport(String name, long[] shape, String from, String to, long bytesBefore, long bytesAfter, double snrDb) {
    public LayerReport {
        shape = shape.clone();
    }

    public String shapeString() {
        return Arrays.toString(shape).replace(" ", "");
    }

    public boolean lossy() {
        return !Double.isNaN(snrDb) && snrDb != Double.POSITIVE_INFINITY;
    }
}
