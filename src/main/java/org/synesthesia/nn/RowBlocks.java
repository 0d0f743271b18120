package org.synesthesia.nn;

import java.util.Arrays;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Palette;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * One of {@code count} equal blocks of rows of a stacked tensor [n, ...] (e.g. q, k, v of a fused
 * {@code in_proj_weight} [3d, d]) as a view over the same bytes, in the stored type: rows
 * {@code [index * n / count, (index + 1) * n / count)}. Palettized tensors keep the lookup tables of the groups
 * the block covers.
 */
public final class RowBlocks {
    private RowBlocks() {}

    /** The block, named {@code NAME[label]}; a stack whose rows or palette groups do not divide is a one-line error. */
    public static StoredTensor view(StoredTensor st, int index, int count, String label) {
        long[] s = st.shape();
        if (s.length == 0 || s[0] % count != 0)
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has shape " + st.shapeString()
                    + ", expected " + count + " blocks stacked [" + count + "d, ...]");
        long rows = s[0] / count, cols = st.elements() / s[0];
        long r0 = rows * index;
        long[] shape = s.clone();
        shape[0] = rows;
        DType t = st.dtype();
        String name = st.name() + "[" + label + "]";
        if (t == DType.PAL) {
            Palette p = st.palette();
            long rowBytes = Palette.rowBytes(cols, p.bits());
            int gs = p.groupSize(), e = p.entries();
            float[] lut;
            int groupSize;
            if (r0 / gs == (r0 + rows - 1) / gs) {
                int g = (int) (r0 / gs);
                lut = Arrays.copyOfRange(p.lut(), g * e, (g + 1) * e);
                groupSize = (int) rows;
            } else if (r0 % gs == 0 && rows % gs == 0) {
                lut = Arrays.copyOfRange(p.lut(), (int) (r0 / gs) * e, (int) ((r0 + rows) / gs) * e);
                groupSize = gs;
            } else {
                throw new SynesthesiaException(st.source() + ": tensor " + st.name() + ": palette groups of " + gs + " rows do not split into "
                        + count + " blocks of " + rows + " rows");
            }
            return new StoredTensor(name, t, shape, st.data().asSlice(r0 * rowBytes, rows * rowBytes), new Palette(p.bits(), groupSize, lut), st.source());
        }
        if (t == DType.Q8_ROW) {
            long rowBytes = DType.q8RowBytes(cols);
            return new StoredTensor(name, t, shape, st.data().asSlice(r0 * rowBytes, rows * rowBytes), null, st.source());
        }
        if (cols % t.blockSize != 0)
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + ": rows of " + cols + " values are not whole " + t + " blocks");
        long rowBytes = t.bytesFor(cols);
        return new StoredTensor(name, t, shape, st.data().asSlice(r0 * rowBytes, rows * rowBytes), null, st.source());
    }
}
