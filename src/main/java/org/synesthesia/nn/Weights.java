package org.synesthesia.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.io.WeightSource;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * A model's tensors by their canonical names (the reference module names of the family, e.g.
 * {@code down_blocks.0.resnets.0.conv1.weight}), looked up in a checkpoint that may store them under other names:
 * {@code stored} maps each canonical name to the checkpoint's own. Every model family binds its modules through
 * this one class. Getters check shapes and fail with one line naming the file and the tensor; matrices stay
 * {@link WeightMatrix} views over the mapped bytes in their stored type, 1-D parameters are decoded to floats.
 *
 * <p>{@link #random} weights are made on request with the shapes the model asks for (F16, matrices
 * ~ U(-1, 1)/sqrt(fan_in), norm weights ~ 1, biases small): full-size models for benchmarks without a checkpoint.
 */
public final class Weights {
    private final String what;
    private final WeightSource source;
    private final Map<String, String> stored; // canonical name -> stored name
    private final Map<String, NameMapping.RowBlock> blocks; // canonical name -> rows of a stacked stored tensor
    private final UnaryOperator<String> absentName; // canonical name -> stored name it would have, or null
    private final String layout;
    private final SplittableRandom synth; // non-null: random weights
    private final Arena arena;
    private final MemoryWeightSource into; // non-null: random weights are also kept here under their canonical names

    private Weights(String what, WeightSource source, NameMapping mapping, SplittableRandom synth, Arena arena, MemoryWeightSource into) {
        this.what = what;
        this.source = source;
        this.stored = mapping.canonicalToStored();
        this.blocks = mapping.rowBlocks();
        this.absentName = mapping.absentName();
        this.layout = mapping.layout();
        this.synth = synth;
        this.arena = arena;
        this.into = into;
    }

    /**
     * @param what   the model, for messages (e.g. {@code UNet}, {@code VAE})
     * @param stored canonical name -> the name the checkpoint stores it under
     * @param layout the checkpoint's naming, for messages (e.g. {@code LDM names})
     */
    public static Weights of(String what, WeightSource source, Map<String, String> stored, String layout) {
        return of(what, source, new NameMapping(layout, stored));
    }

    /** The tensors {@code mapping} names in {@code source}. */
    public static Weights of(String what, WeightSource source, NameMapping mapping) {
        return new Weights(what, source, mapping, null, null, null);
    }

    /** The checkpoint's names as they are, those under {@code prefix} with the prefix removed. */
    public static Weights prefixed(String what, WeightSource source, String prefix) {
        return of(what, source, NameMapping.prefixed(source.names(), prefix));
    }

    /** Random F16 weights from {@code arena}, made with the shapes the model asks for. */
    public static Weights random(String what, long seed, Arena arena) {
        return new Weights(what, null, new NameMapping("random F16 weights, seed " + seed, Map.of()), new SplittableRandom(seed), arena, null);
    }

    /** Random F16 weights, also kept in {@code into} under their canonical names (a whole checkpoint in memory). */
    public static Weights randomInto(String what, long seed, MemoryWeightSource into) {
        return new Weights(what, null, new NameMapping("random F16 weights, seed " + seed, Map.of()), new SplittableRandom(seed), null, into);
    }

    /** The checkpoint (null for random weights). */
    public WeightSource source() { return source; }

    public String layout() { return layout; }

    /** Canonical name -> stored name of the whole tensors (empty for random weights). */
    public Map<String, String> storedNames() { return stored; }

    /** Every canonical name the checkpoint provides: whole tensors, then row blocks of stacked ones. */
    public Set<String> canonicalNames() {
        Set<String> all = new LinkedHashSet<>(stored.keySet());
        all.addAll(blocks.keySet());
        return all;
    }

    /** Whether these are random weights made on request. */
    public boolean isRandom() { return synth != null; }

    public boolean has(String name) {
        return stored.containsKey(name) || blocks.containsKey(name);
    }

    public Optional<long[]> shape(String name) {
        if (blocks.containsKey(name)) return Optional.of(get(name).shape());
        String s = stored.get(name);
        return s == null ? Optional.empty() : source.find(s).map(StoredTensor::shape);
    }

    /**
     * The tensor of a canonical name (a view of its rows for a row block), or a one-line error naming the file
     * and the tensor: the name the checkpoint would store it under when the layout tells, else the canonical one.
     */
    public StoredTensor get(String name) {
        String s = stored.get(name);
        if (s == null && synth != null) throw new SynesthesiaException("random " + what + " weights: tensor '" + name + "' has no shape to make it with");
        if (s == null) {
            NameMapping.RowBlock b = blocks.get(name);
            if (b != null) return RowBlocks.view(source.get(b.stored()), b.index(), b.count(), b.label());
            String expected = absentName.apply(name);
            if (expected != null)
                throw new SynesthesiaException(source.description() + ": no tensor '" + expected + "'" + (expected.equals(name) ? "" : " (" + what + "'s " + name + ")"));
            throw new SynesthesiaException(source.description() + ": no " + what + " tensor '" + name + "' (" + layout + ")");
        }
        return source.get(s);
    }

    /** The tensor, checked to have exactly {@code shape}. */
    public StoredTensor get(String name, long... shape) {
        if (synth != null) return fabricate(name, shape);
        StoredTensor t = get(name);
        if (!Arrays.equals(t.shape(), shape))
            throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has shape " + t.shapeString() + ", expected " + Arrays.toString(shape));
        return t;
    }

    /** A 1-D parameter of n values, decoded. */
    public float[] vector(String name, int n) {
        return get(name, n).toFloats();
    }

    /** A tensor of {@code shape} as a matrix [shape[0], product of the rest] in its stored type. */
    public WeightMatrix matrix(String name, long... shape) {
        StoredTensor t = get(name, shape);
        if (!t.dtype().isFloat() && !t.dtype().isQuantized())
            throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has type " + t.dtype() + ", expected a float or quantized type");
        try {
            return WeightMatrix.of(t);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(t.source() + ": tensor " + t.name() + ": " + e.getMessage());
        }
    }

    /** A 2-D convolution weight [out, in, k, k] as a matrix [out, in*k*k]. */
    public WeightMatrix conv(String name, int out, int in, int k) {
        return matrix(name, out, in, k, k);
    }

    /** A Linear weight [out, in], also accepted as a 1x1 convolution [out, in, 1, 1] (same bytes). */
    public WeightMatrix linear(String name, int out, int in) {
        if (synth != null) return WeightMatrix.of(fabricate(name, out, in));
        StoredTensor t = get(name);
        long[] s = t.shape();
        if (!Arrays.equals(s, new long[] {out, in}) && !Arrays.equals(s, new long[] {out, in, 1, 1}))
            throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has shape " + t.shapeString()
                    + ", expected [" + out + ", " + in + "] or [" + out + ", " + in + ", 1, 1]");
        return matrix(name, s);
    }

    private StoredTensor fabricate(String name, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float scale = shape.length == 1 ? 0.05f : (float) (1 / Math.sqrt(n / shape[0]));
        float center = shape.length == 1 && name.endsWith(".weight") ? 1 : 0;
        MemorySegment seg = into != null ? into.allocate(name, DType.F16, shape) : arena.allocate(2 * n, 2);
        for (long i = 0; i < n; i++)
            seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(center + scale * (float) (2 * synth.nextDouble() - 1)));
        return new StoredTensor(name, DType.F16, shape, seg, layout);
    }
}
