package org.synesthesia.whisper;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Tensor;

/**
 * Whisper models of any {@link WhisperConfig} with random weights, in memory (benchmarks at full size without a
 * download): openai tensor names and shapes ({@link #openaiShapes}), matrices ~ N(0, 0.02^2), layer norms
 * weight 1 and bias 0, other biases 0, the {@code dims} metadata set.
 */
public final class RandomWhisper {
    private RandomWhisper() {}

    /** openai {@code Whisper.state_dict()} names and shapes for {@code c}, encoder then decoder. */
    static Map<String, long[]> openaiShapes(WhisperConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long da = c.nAudioState(), dt = c.nTextState();
        m.put("encoder.conv1.weight", new long[] {da, c.nMels(), 3});
        m.put("encoder.conv1.bias", new long[] {da});
        m.put("encoder.conv2.weight", new long[] {da, da, 3});
        m.put("encoder.conv2.bias", new long[] {da});
        m.put("encoder.positional_embedding", new long[] {c.nAudioCtx(), da});
        for (int l = 0; l < c.nAudioLayer(); l++) block(m, "encoder.blocks." + l + ".", da, false);
        m.put("encoder.ln_post.weight", new long[] {da});
        m.put("encoder.ln_post.bias", new long[] {da});
        m.put("decoder.token_embedding.weight", new long[] {c.nVocab(), dt});
        m.put("decoder.positional_embedding", new long[] {c.nTextCtx(), dt});
        for (int l = 0; l < c.nTextLayer(); l++) block(m, "decoder.blocks." + l + ".", dt, true);
        m.put("decoder.ln.weight", new long[] {dt});
        m.put("decoder.ln.bias", new long[] {dt});
        return m;
    }

    private static void block(Map<String, long[]> m, String p, long d, boolean cross) {
        attention(m, p + "attn.", d);
        norm(m, p + "attn_ln.", d);
        if (cross) {
            attention(m, p + "cross_attn.", d);
            norm(m, p + "cross_attn_ln.", d);
        }
        m.put(p + "mlp.0.weight", new long[] {4 * d, d});
        m.put(p + "mlp.0.bias", new long[] {4 * d});
        m.put(p + "mlp.2.weight", new long[] {d, 4 * d});
        m.put(p + "mlp.2.bias", new long[] {d});
        norm(m, p + "mlp_ln.", d);
    }

    private static void attention(Map<String, long[]> m, String p, long d) {
        m.put(p + "query.weight", new long[] {d, d});
        m.put(p + "query.bias", new long[] {d});
        m.put(p + "key.weight", new long[] {d, d});
        m.put(p + "value.weight", new long[] {d, d});
        m.put(p + "value.bias", new long[] {d});
        m.put(p + "out.weight", new long[] {d, d});
        m.put(p + "out.bias", new long[] {d});
    }

    private static void norm(Map<String, long[]> m, String p, long d) {
        m.put(p + "weight", new long[] {d});
        m.put(p + "bias", new long[] {d});
    }

    /**
     * The random weights of {@code config} as F32 or F16 tensors, or Q8_0 (the matrices of whole 32-value blocks, as
     * whisper.cpp's q8_0 files; vectors, convolutions and the positional embeddings F16); close the source to free them.
     */
    public static MemoryWeightSource weights(WhisperConfig config, DType dtype, long seed) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.Q8_0)
            throw new IllegalArgumentException("random whisper weights in F32, F16 or Q8_0, not " + dtype);
        MemoryWeightSource src = new MemoryWeightSource("random whisper " + config.officialName().orElse("custom") + " " + dtype);
        src.putMetadata("dims", config.toJson());
        SplittableRandom rng = new SplittableRandom(seed);
        for (Map.Entry<String, long[]> e : openaiShapes(config).entrySet()) {
            String name = e.getKey();
            boolean norm = name.endsWith("ln.weight") || name.endsWith("ln_post.weight") || name.endsWith("_ln.weight");
            boolean bias = name.endsWith(".bias");
            long[] shape = e.getValue();
            if (dtype == DType.Q8_0) {
                if (shape.length == 2 && shape[1] % 32 == 0 && !name.contains("positional") && !norm && !bias) {
                    float[] f = new float[Math.toIntExact(shape[0] * shape[1])];
                    for (int i = 0; i < f.length; i++) f[i] = (float) (0.02 * rng.nextGaussian());
                    src.putEncoded(name, DType.Q8_0, shape, org.synesthesia.tensor.Quantize.toQ8_0(f));
                    continue;
                }
            }
            DType t = dtype == DType.Q8_0 ? DType.F16 : dtype;
            MemorySegment seg = src.allocate(name, t, shape);
            long n = t == DType.F32 ? seg.byteSize() / 4 : seg.byteSize() / 2;
            for (long i = 0; i < n; i++) {
                float v = norm ? 1f : bias ? 0f : (float) (0.02 * rng.nextGaussian());
                if (t == DType.F32) seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                else seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
            }
        }
        return src;
    }

    /** A loaded model with random weights (closing it frees them). */
    public static Whisper create(WhisperConfig config, DType dtype, long seed) {
        MemoryWeightSource src = weights(config, dtype, seed);
        try {
            return Whisper.load(src, null);
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** A deterministic pseudo-mel [1, n_mels, 3000] in the log-Mel range (benchmark and test input). */
    public static Tensor pseudoMel(int nMels) {
        float[] m = new float[nMels * 3000];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < m.length; i++) m[i] = (float) (r.nextDouble() * 1.5 - 0.5);
        return Tensor.of(m, 1, nMels, 3000);
    }
}
