package org.synesthesia.diffusion;

import org.synesthesia.diffusion.vae.VaeConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;

/**
 * A checkpoint of random F16 tensors with given names and shapes (for timing real-size models without weights),
 * made on first request in {@code arena}: matrices ~ U(-1, 1)/sqrt(fan_in), 1-D weights ~ 1 +- 0.05, biases +- 0.05.
 * Names and shapes for SD 1.5's CLIP text model and VAE decoder come from {@link #sdClipText} and {@link #sdVaeDecoder}.
 */
public final class RandomWeightSource implements WeightSource {
    private final Map<String, long[]> shapes;
    private final Map<String, StoredTensor> made = new LinkedHashMap<>();
    private final SplittableRandom rnd;
    private final Arena arena;
    private final String description;

    public RandomWeightSource(Map<String, long[]> shapes, long seed, Arena arena, String what) {
        this.shapes = shapes;
        this.rnd = new SplittableRandom(seed);
        this.arena = arena;
        this.description = "random F16 " + what + ", seed " + seed;
    }

    @Override public String description() { return description; }

    @Override public String format() { return "random"; }

    @Override public Collection<String> names() { return shapes.keySet(); }

    @Override
    public synchronized Optional<StoredTensor> find(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) return Optional.empty();
        return Optional.of(made.computeIfAbsent(name, n -> fabricate(n, shape)));
    }

    private StoredTensor fabricate(String name, long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float scale = shape.length == 1 ? 0.05f : (float) (1 / Math.sqrt((double) n / shape[0]));
        float center = shape.length == 1 && name.endsWith(".weight") ? 1 : 0;
        MemorySegment seg = arena.allocate(2 * n, 2);
        for (long i = 0; i < n; i++)
            seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(center + scale * (float) (2 * rnd.nextDouble() - 1)));
        return new StoredTensor(name, DType.F16, shape, seg, description);
    }

    @Override public Map<String, String> metadata() { return Map.of(); }

    @Override public void close() {}

    /** transformers' CLIPTextModel names and shapes: vocab V, width d, L layers, MLP width m, P positions. */
    public static Map<String, long[]> sdClipText(int vocab, int d, int layers, int mlp, int positions) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("text_model.embeddings.token_embedding.weight", new long[] {vocab, d});
        m.put("text_model.embeddings.position_embedding.weight", new long[] {positions, d});
        for (int i = 0; i < layers; i++) {
            String p = "text_model.encoder.layers." + i + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) linear(m, p + "self_attn." + proj, d, d);
            norm(m, p + "layer_norm1", d);
            norm(m, p + "layer_norm2", d);
            linear(m, p + "mlp.fc1", mlp, d);
            linear(m, p + "mlp.fc2", d, mlp);
        }
        norm(m, "text_model.final_layer_norm", d);
        return m;
    }

    /** diffusers' AutoencoderKL decoder (with post_quant_conv) names and shapes for {@code c}. */
    public static Map<String, long[]> sdVaeDecoder(VaeConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        int lat = c.latentChannels();
        int[] w = c.blockOutChannels();
        int top = w[w.length - 1];
        conv(m, "post_quant_conv", lat, lat, 1);
        conv(m, "decoder.conv_in", top, lat, 3);
        for (int r = 0; r < 2; r++) resnet(m, "decoder.mid_block.resnets." + r, top, top);
        String a = "decoder.mid_block.attentions.0.";
        norm(m, a + "group_norm", top);
        for (String proj : new String[] {"to_q", "to_k", "to_v", "to_out.0"}) linear(m, a + proj, top, top);
        int prev = top;
        for (int i = 0; i < w.length; i++) {
            int out = w[w.length - 1 - i];
            for (int j = 0; j <= c.layersPerBlock(); j++) {
                resnet(m, "decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out);
            }
            if (i < w.length - 1) conv(m, "decoder.up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
            prev = out;
        }
        norm(m, "decoder.conv_norm_out", w[0]);
        conv(m, "decoder.conv_out", c.outChannels(), w[0], 3);
        return m;
    }

    private static void resnet(Map<String, long[]> m, String p, int in, int out) {
        norm(m, p + ".norm1", in);
        conv(m, p + ".conv1", out, in, 3);
        norm(m, p + ".norm2", out);
        conv(m, p + ".conv2", out, out, 3);
        if (in != out) conv(m, p + ".conv_shortcut", out, in, 1);
    }

    private static void linear(Map<String, long[]> m, String p, int out, int in) {
        m.put(p + ".weight", new long[] {out, in});
        m.put(p + ".bias", new long[] {out});
    }

    private static void conv(Map<String, long[]> m, String p, int out, int in, int k) {
        m.put(p + ".weight", new long[] {out, in, k, k});
        m.put(p + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> m, String p, int d) {
        m.put(p + ".weight", new long[] {d});
        m.put(p + ".bias", new long[] {d});
    }
}
