package org.synesthesia.nn;

import org.synesthesia.tensor.Palette;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.WeightFormat;
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
        WeightFormat f = st.dtype().format();
        try {
            f.checkRow(st.name(), cols);
            Palette palette = f.paletteOfRows(st.palette(), r0, rows);
            long rowBytes = f.rowBytes(cols, st.palette());
            return new StoredTensor(st.name() + "[" + label + "]", st.dtype(), shape, st.data().asSlice(r0 * rowBytes, rows * rowBytes), palette, st.source());
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " cannot be split into " + count + " blocks of " + rows + " rows: " + e.getMessage());
        }
    }
}
