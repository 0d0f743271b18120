package org.synesthesia.diffusion.unet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.io.WeightSource;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * A UNet's tensors by diffusers name over any checkpoint layout: diffusers names (bare or under a prefix such as
 * {@code unet/}) or LDM names ({@link UNetNames}). Getters check shapes and fail with one line naming the file.
 * Weights stay views over the source's mapped memory; only 1-D parameters are decoded to float arrays.
 */
public final class UNetWeights {
    private final WeightSource source;
    private final Map<String, String> stored; // diffusers name -> stored name
    private final String layout;
    private final SplittableRandom synth; // non-null: random weights of the requested shapes (benchmarks)
    private final Arena arena;
    private final MemoryWeightSource into; // non-null: random weights are also kept here under their diffusers names

    private UNetWeights(WeightSource source, Map<String, String> stored, String layout) {
        this.source = source;
        this.stored = stored;
        this.layout = layout;
        this.synth = null;
        this.arena = null;
        this.into = null;
    }

    private UNetWeights(long seed, Arena arena, MemoryWeightSource into) {
        this.source = null;
        this.stored = Map.of();
        this.layout = "random F16 weights, seed " + seed;
        this.synth = new SplittableRandom(seed);
        this.arena = arena;
        this.into = into;
    }

    /**
     * Random weights made on request with the shapes the model asks for, F16 in memory from {@code arena} (for
     * timing at real sizes without a checkpoint): matrices ~ U(-1, 1)/sqrt(fan_in), norm weights ~ 1, biases small.
     */
    public static UNetWeights random(long seed, Arena arena) {
        return new UNetWeights(seed, arena, null);
    }

    /**
     * A whole random UNet checkpoint of config {@code c} in memory, diffusers names, F16 (made as {@link #random}
     * makes them): full-size weights for benchmarks and for converting without a real checkpoint. Close it to free.
     */
    public static MemoryWeightSource randomCheckpoint(UNetConfig c, long seed) {
        MemoryWeightSource ms = new MemoryWeightSource("random F16 UNet weights, seed " + seed);
        try {
            new UNet2DConditionModel(c, new UNetWeights(seed, null, ms));
        } catch (RuntimeException e) {
            ms.close();
            throw e;
        }
        return ms;
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

    /** Diffusers names, each stored as {@code prefix + name}. */
    public static UNetWeights diffusers(WeightSource source, String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : source.names()) if (n.startsWith(prefix)) m.put(n.substring(prefix.length()), n);
        return new UNetWeights(source, m, prefix.isEmpty() ? "diffusers names" : "diffusers names under " + prefix);
    }

    /** LDM names with this many resnets per down level. */
    public static UNetWeights ldm(WeightSource source, int layersPerBlock) {
        return new UNetWeights(source, UNetNames.ldmToDiffusers(source.names(), layersPerBlock), "LDM names");
    }

    /** Chooses the layout by the names present ({@code layersPerBlock} < 0: inferred for LDM names). */
    public static UNetWeights open(WeightSource source, int layersPerBlock) {
        var names = source.names();
        if (UNetNames.isDiffusers(names, "")) return diffusers(source, "");
        if (UNetNames.isDiffusers(names, "unet/")) return diffusers(source, "unet/");
        if (UNetNames.isLdm(names)) {
            int l = layersPerBlock >= 0 ? layersPerBlock : UNetNames.ldmLayersPerBlock(names);
            if (l < 1) throw new SynesthesiaException(source.description() + ": cannot tell layers_per_block from the LDM UNet names");
            return ldm(source, l);
        }
        throw new SynesthesiaException(source.description() + ": no UNet tensors (looked for diffusers conv_in.weight or LDM input_blocks.0.0.weight)");
    }

    /** The checkpoint (null for {@link #random} weights). */
    public WeightSource source() { return source; }

    public String layout() { return layout; }

    public boolean has(String name) {
        return stored.containsKey(name);
    }

    public Optional<long[]> shape(String name) {
        String s = stored.get(name);
        return s == null ? Optional.empty() : source.find(s).map(StoredTensor::shape);
    }

    public StoredTensor get(String name) {
        String s = stored.get(name);
        if (s == null && synth != null) throw new SynesthesiaException("random UNet weights: tensor '" + name + "' has no shape to make it with");
        if (s == null) throw new SynesthesiaException(source.description() + ": no UNet tensor '" + name + "' (" + layout + ")");
        return source.get(s);
    }

    /** A 1-D parameter of n values, decoded. */
    public float[] vector(String name, int n) {
        if (synth != null) return fabricate(name, n).toFloats();
        return get(name).expectShape(n).toFloats();
    }

    /** A convolution weight [out, in, k, k] as a matrix [out, in*k*k]. */
    public WeightMatrix conv(String name, int out, int in, int k) {
        if (synth != null) return WeightMatrix.of(fabricate(name, out, in, k, k));
        return WeightMatrix.of(get(name).expectShape(out, in, k, k));
    }

    /** A Linear weight [out, in], also accepted as a 1x1 convolution [out, in, 1, 1] (same bytes). */
    public WeightMatrix linear(String name, int out, int in) {
        if (synth != null) return WeightMatrix.of(fabricate(name, out, in));
        StoredTensor t = get(name);
        long[] s = t.shape();
        if (!Arrays.equals(s, new long[] {out, in}) && !Arrays.equals(s, new long[] {out, in, 1, 1}))
            throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has shape " + t.shapeString()
                    + ", expected [" + out + ", " + in + "] or [" + out + ", " + in + ", 1, 1]");
        return WeightMatrix.of(t);
    }
}
