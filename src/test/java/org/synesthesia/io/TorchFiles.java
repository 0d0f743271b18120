package org.synesthesia.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Hand-made PyTorch zip checkpoints for tests outside this package: a state dict {name: float32 tensor} as
 * {@code torch.save} writes it (archive/data.pkl, archive/byteorder, one storage per tensor under archive/data/).
 */
public final class TorchFiles {
    private TorchFiles() {}

    /** One tensor of the state dict: its name, shape and values (row-major). */
    public record Entry(String name, long[] shape, float[] values) {}

    public static byte[] stateDict(List<Entry> entries) {
        PickleBytes p = new PickleBytes().proto(2).emptyDict().mark();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            long[] stride = new long[e.shape().length];
            long s = 1;
            for (int d = stride.length - 1; d >= 0; d--) { stride[d] = s; s *= e.shape()[d]; }
            p.str(e.name()).tensor("FloatStorage", Integer.toString(i), e.values().length, 0, e.shape(), stride);
        }
        p.setItems().stop();
        TestZip zip = new TestZip(false).add("archive/data.pkl", p.bytes(), false).add("archive/byteorder", "little".getBytes(), false);
        for (int i = 0; i < entries.size(); i++) {
            float[] v = entries.get(i).values();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) b.putFloat(x);
            zip.add("archive/data/" + i, b.array(), false);
        }
        return zip.finish();
    }
}
