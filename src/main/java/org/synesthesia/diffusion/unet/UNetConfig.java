package org.synesthesia.diffusion.unet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.synesthesia.nn.Weights;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * The subset of diffusers' {@code UNet2DConditionModel} config that Stable Diffusion 1.x/2.x use.
 *
 * <p>{@code heads[i]} is the number of attention heads of down level i (the mid block uses the last level's, up
 * block i uses {@code heads[levels-1-i]}); diffusers reads it from {@code num_attention_heads}, or, when that is
 * null, from {@code attention_head_dim} (a misnomer kept for compatibility: SD1's 8 and SD2's [5, 10, 20, 20] are
 * head counts). Head width = channels / heads.
 *
 * @param downBlockTypes  {@code CrossAttnDownBlock2D} or {@code DownBlock2D} per level
 * @param upBlockTypes    {@code CrossAttnUpBlock2D} or {@code UpBlock2D} per level, deepest first
 * @param transformerLayers BasicTransformerBlocks per Transformer2DModel ({@code transformer_layers_per_block})
 * @param crossAttentionDim width of the encoder_hidden_states rows attn2 attends to; 0: no context, attn2 is a second
 *                          self-attention on x with its own weights (AudioLDM's SpatialTransformer with context=None;
 *                          diffusers writes cross_attention_dim = block_out_channels for it)
 * @param classEmbedInputDim width of the class-conditioning vector projected by {@code class_embedding}, a Linear to
 *                          the time embedding width (diffusers' class_embed_type "simple_projection", AudioLDM's
 *                          {@code film_emb} on the 512-d CLAP embedding); 0: none
 * @param classEmbeddingsConcat whether the class embedding is concatenated to the time embedding (the resnets then take
 *                          2 x the time embedding width, AudioLDM's FiLM) rather than added to it
 */
public record UNetConfig(int sampleSize, int inChannels, int outChannels, boolean flipSinToCos, float freqShift,
                         List<String> downBlockTypes, String midBlockType, List<String> upBlockTypes,
                         int[] blockOutChannels, int layersPerBlock, int downsamplePadding, float midBlockScaleFactor,
                         int normNumGroups, float normEps, int crossAttentionDim, int[] heads,
                         boolean useLinearProjection, boolean upcastAttention, int transformerLayers,
                         int classEmbedInputDim, boolean classEmbeddingsConcat) {

    public static final String CROSS_DOWN = "CrossAttnDownBlock2D", DOWN = "DownBlock2D";
    public static final String CROSS_UP = "CrossAttnUpBlock2D", UP = "UpBlock2D", MID = "UNetMidBlock2DCrossAttn";
    /** The GGUF metadata key under which a converted file stores this config as JSON ({@link #toMap} keys). */
    public static final String GGUF_KEY = "stable-diffusion.unet.config";
    /** Upper bound on any width, channel count or sample size a config may give (far above any released UNet's). */
    static final int MAX_SIZE = 1 << 16;

    public UNetConfig {
        int n = blockOutChannels.length;
        if (n == 0 || downBlockTypes.size() != n || upBlockTypes.size() != n || heads.length != n)
            throw new IllegalArgumentException("unet config: block_out_channels, down/up_block_types and heads need one entry per level");
        for (String t : downBlockTypes)
            if (!CROSS_DOWN.equals(t) && !DOWN.equals(t)) throw new IllegalArgumentException("unet config: down_block_types: unsupported " + t);
        for (String t : upBlockTypes)
            if (!CROSS_UP.equals(t) && !UP.equals(t)) throw new IllegalArgumentException("unet config: up_block_types: unsupported " + t);
        if (!MID.equals(midBlockType)) throw new IllegalArgumentException("unet config: mid_block_type: unsupported " + midBlockType);
        positive("sample_size", sampleSize, MAX_SIZE);
        positive("in_channels", inChannels, MAX_SIZE);
        positive("out_channels", outChannels, MAX_SIZE);
        positive("norm_num_groups", normNumGroups, MAX_SIZE);
        positive("layers_per_block", layersPerBlock, 64);
        positive("transformer_layers_per_block", transformerLayers, 64);
        if (!(normEps > 0) || !Float.isFinite(normEps)) throw new IllegalArgumentException("unet config: norm_eps must be positive, got " + normEps);
        if (!Float.isFinite(freqShift)) throw new IllegalArgumentException("unet config: freq_shift must be finite, got " + freqShift);
        if (!Float.isFinite(midBlockScaleFactor)) throw new IllegalArgumentException("unet config: mid_block_scale_factor must be finite, got " + midBlockScaleFactor);
        for (int i = 0; i < n; i++) {
            if (blockOutChannels[i] <= 0 || blockOutChannels[i] > MAX_SIZE)
                throw new IllegalArgumentException("unet config: block_out_channels[" + i + "] = " + blockOutChannels[i] + " is not a positive width");
            if (blockOutChannels[i] % normNumGroups != 0)
                throw new IllegalArgumentException("unet config: block_out_channels[" + i + "] = " + blockOutChannels[i] + " does not split into norm_num_groups " + normNumGroups);
            if (heads[i] <= 0 || blockOutChannels[i] % heads[i] != 0)
                throw new IllegalArgumentException("unet config: attention_head_dim[" + i + "] = " + heads[i] + " heads do not split block_out_channels " + blockOutChannels[i]);
        }
        if (crossAttentionDim < 0 || crossAttentionDim > MAX_SIZE) throw new IllegalArgumentException("unet config: cross_attention_dim " + crossAttentionDim + " out of range");
        if (classEmbedInputDim < 0 || classEmbedInputDim > MAX_SIZE)
            throw new IllegalArgumentException("unet config: projection_class_embeddings_input_dim " + classEmbedInputDim + " out of range");
        blockOutChannels = blockOutChannels.clone();
        heads = heads.clone();
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
    }

    private static void positive(String key, int v, int max) {
        if (v <= 0 || v > max) throw new IllegalArgumentException("unet config: " + key + " must be in 1.." + max + ", got " + v);
    }

    /** A config without class embedding (Stable Diffusion's). */
    public UNetConfig(int sampleSize, int inChannels, int outChannels, boolean flipSinToCos, float freqShift,
                      List<String> downBlockTypes, String midBlockType, List<String> upBlockTypes,
                      int[] blockOutChannels, int layersPerBlock, int downsamplePadding, float midBlockScaleFactor,
                      int normNumGroups, float normEps, int crossAttentionDim, int[] heads,
                      boolean useLinearProjection, boolean upcastAttention, int transformerLayers) {
        this(sampleSize, inChannels, outChannels, flipSinToCos, freqShift, downBlockTypes, midBlockType, upBlockTypes, blockOutChannels,
                layersPerBlock, downsamplePadding, midBlockScaleFactor, normNumGroups, normEps, crossAttentionDim, heads,
                useLinearProjection, upcastAttention, transformerLayers, 0, false);
    }

    public int levels() { return blockOutChannels.length; }

    /** Width of the time embedding: 4 x block_out_channels[0]. */
    public int timeEmbedDim() { return 4 * blockOutChannels[0]; }

    /** Width of the embedding the resnets read: the time embedding, doubled when a class embedding is concatenated. */
    public int resnetEmbedDim() { return classEmbedInputDim > 0 && classEmbeddingsConcat ? 2 * timeEmbedDim() : timeEmbedDim(); }

    /** Whether attn2 attends to encoder_hidden_states (false: to x itself). */
    public boolean hasCrossAttention() { return crossAttentionDim > 0; }

    public boolean downHasAttention(int level) { return downBlockTypes.get(level).equals(CROSS_DOWN); }

    public boolean upHasAttention(int upIndex) { return upBlockTypes.get(upIndex).equals(CROSS_UP); }

    /** Stable Diffusion 1.x (v1-inference.yaml / runwayml config.json). */
    public static UNetConfig sd1() {
        return new UNetConfig(64, 4, 4, true, 0, List.of(CROSS_DOWN, CROSS_DOWN, CROSS_DOWN, DOWN), MID,
                List.of(UP, CROSS_UP, CROSS_UP, CROSS_UP), new int[] {320, 640, 1280, 1280}, 2, 1, 1, 32, 1e-5f, 768,
                new int[] {8, 8, 8, 8}, false, false, 1);
    }

    /** Stable Diffusion 2.x (v2-inference(-v).yaml): head width 64, linear projections, cross dim 1024. */
    public static UNetConfig sd2() {
        return new UNetConfig(96, 4, 4, true, 0, List.of(CROSS_DOWN, CROSS_DOWN, CROSS_DOWN, DOWN), MID,
                List.of(UP, CROSS_UP, CROSS_UP, CROSS_UP), new int[] {320, 640, 1280, 1280}, 2, 1, 1, 32, 1e-5f, 1024,
                new int[] {5, 10, 20, 20}, true, true, 1);
    }

    /**
     * AudioLDM's UNet ({@code audioldm.latent_diffusion.openaimodel.UNetModel} of audioldm-s-full at
     * {@code modelChannels} 128): 8 latent channels, channel_mult [1, 2, 3, 5], 2 res blocks, attention at
     * downsampling 2, 4, 8 (levels 1-3), num_head_channels 32 (heads = channels / 32), 1x1-conv projections,
     * self-attention only, FiLM: film_emb(512-d CLAP embedding) concatenated to the time embedding.
     */
    public static UNetConfig audioLdm(int modelChannels) {
        int[] boc = {modelChannels, 2 * modelChannels, 3 * modelChannels, 5 * modelChannels};
        int[] heads = new int[4];
        for (int i = 0; i < 4; i++) heads[i] = Math.max(1, boc[i] / 32);
        return new UNetConfig(64, 8, 8, true, 0, List.of(DOWN, CROSS_DOWN, CROSS_DOWN, CROSS_DOWN), MID,
                List.of(CROSS_UP, CROSS_UP, CROSS_UP, UP), boc, 2, 1, 1, 32, 1e-5f, 0, heads, false, false, 1, 512, true);
    }

    /** Reads a diffusers {@code unet/config.json}: a file that exists must be a readable, non-empty UNet config. */
    public static UNetConfig read(Path configJson) {
        return fromFile(configJson, ReadFile.configObject(configJson, "not a UNet config"));
    }

    /**
     * The UNet config in a {@code config.json} found beside a weights file: null when there is no such file or it is
     * another model's config ({@code _class_name} or {@code model_type} naming something else), so that the weights
     * decide; a file that cannot be read, is not a JSON object, is empty, or is a UNet config with a bad field is an
     * error naming the file, never a silent fall back to inference.
     */
    public static UNetConfig readIfPresent(Path configJson) {
        if (configJson == null || !Files.exists(configJson)) return null;
        Map<String, Object> c = ReadFile.configObject(configJson, "not a config");
        Object cls = c.get("_class_name");
        if (cls == null && c.get("model_type") != null || cls != null && !"UNet2DConditionModel".equals(cls)) return null;
        return fromFile(configJson, c);
    }

    private static UNetConfig fromFile(Path configJson, Map<String, Object> c) {
        try {
            return fromJson(c);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw SynesthesiaException.inFile(configJson, e.getMessage());
        }
    }

    /**
     * From a parsed diffusers config. Class embedding: only "simple_projection" (AudioLDM); a per-level
     * cross_attention_dim equal to block_out_channels means self-attention (AudioLDM). Other features (addition
     * embeddings, other class embeddings, ...) are rejected.
     */
    public static UNetConfig fromJson(Map<String, Object> c) {
        String cls = str(c, "_class_name", "UNet2DConditionModel");
        if (!cls.equals("UNet2DConditionModel")) throw new IllegalArgumentException("unet config: _class_name is " + cls + ", expected UNet2DConditionModel");
        Object classType = c.get("class_embed_type");
        if (classType != null && !"simple_projection".equals(classType))
            throw new IllegalArgumentException("unet config: class_embed_type " + classType + " is not supported (only simple_projection)");
        int classDim = classType == null ? 0 : integer(c, "projection_class_embeddings_input_dim", 0);
        if (classType != null && classDim <= 0)
            throw new IllegalArgumentException("unet config: class_embed_type simple_projection needs projection_class_embeddings_input_dim");
        for (String k : List.of("addition_embed_type", "encoder_hid_dim", "num_class_embeds", "time_cond_proj_dim", "time_embedding_dim"))
            if (c.get(k) != null) throw new IllegalArgumentException("unet config: " + k + " is not supported (only SD 1.x/2.x UNets)");
        for (String k : List.of("only_cross_attention", "dual_cross_attention", "center_input_sample", "resnet_skip_time_act"))
            if (Boolean.TRUE.equals(c.get(k))) throw new IllegalArgumentException("unet config: " + k + " = true is not supported");
        expect(c, "act_fn", "silu");
        expect(c, "resnet_time_scale_shift", "default");
        expect(c, "time_embedding_type", "positional");
        expect(c, "attention_type", "default");
        if (c.get("conv_in_kernel") != null && num(c, "conv_in_kernel", 3) != 3 || c.get("conv_out_kernel") != null && num(c, "conv_out_kernel", 3) != 3)
            throw new IllegalArgumentException("unet config: only 3x3 conv_in/conv_out are supported");
        if (c.get("resnet_out_scale_factor") != null && num(c, "resnet_out_scale_factor", 1) != 1)
            throw new IllegalArgumentException("unet config: resnet_out_scale_factor must be 1");
        int[] boc = ints(c.get("block_out_channels"), -1, "block_out_channels");
        int n = boc.length;
        Object headsValue = c.get("num_attention_heads") != null ? c.get("num_attention_heads") : c.getOrDefault("attention_head_dim", 8L);
        int[] heads = ints(headsValue, n, "attention_head_dim");
        int tl = c.get("transformer_layers_per_block") == null ? 1 : ints(c.get("transformer_layers_per_block"), n, "transformer_layers_per_block")[0];
        if (c.get("transformer_layers_per_block") instanceof List<?> l && l.stream().distinct().count() > 1)
            throw new IllegalArgumentException("unet config: per-level transformer_layers_per_block is not supported");
        if (c.get("reverse_transformer_layers_per_block") != null)
            throw new IllegalArgumentException("unet config: reverse_transformer_layers_per_block is not supported");
        int lpb = c.get("layers_per_block") instanceof List<?> ? -1 : integer(c, "layers_per_block", 2);
        if (lpb < 0) throw new IllegalArgumentException("unet config: per-level layers_per_block is not supported");
        int pad = integer(c, "downsample_padding", 1);
        if (pad != 1) throw new IllegalArgumentException("unet config: downsample_padding " + pad + " is not supported (SD uses 1)");
        int cross;
        if (c.get("cross_attention_dim") instanceof List<?>) {
            if (!Arrays.equals(ints(c.get("cross_attention_dim"), n, "cross_attention_dim"), boc))
                throw new IllegalArgumentException("unet config: a per-level cross_attention_dim must equal block_out_channels (self-attention)");
            cross = 0;
        } else {
            cross = integer(c, "cross_attention_dim", 1280);
        }
        return new UNetConfig(integer(c, "sample_size", 64), integer(c, "in_channels", 4), integer(c, "out_channels", 4),
                bool(c, "flip_sin_to_cos", true), (float) num(c, "freq_shift", 0),
                strings(c, "down_block_types", List.of(CROSS_DOWN, CROSS_DOWN, CROSS_DOWN, DOWN)),
                str(c, "mid_block_type", MID), strings(c, "up_block_types", List.of(UP, CROSS_UP, CROSS_UP, CROSS_UP)),
                boc, lpb, pad, (float) num(c, "mid_block_scale_factor", 1), integer(c, "norm_num_groups", 32),
                (float) num(c, "norm_eps", 1e-5), cross, heads,
                bool(c, "use_linear_projection", false), bool(c, "upcast_attention", false), tl,
                classDim, classDim > 0 && bool(c, "class_embeddings_concat", false));
    }

    /** This config as diffusers' {@code unet/config.json} keys ({@link #fromJson} reads it back equal). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("_class_name", "UNet2DConditionModel");
        m.put("sample_size", (long) sampleSize);
        m.put("in_channels", (long) inChannels);
        m.put("out_channels", (long) outChannels);
        m.put("flip_sin_to_cos", flipSinToCos);
        m.put("freq_shift", decimal(freqShift));
        m.put("down_block_types", downBlockTypes);
        m.put("mid_block_type", midBlockType);
        m.put("up_block_types", upBlockTypes);
        m.put("block_out_channels", longs(blockOutChannels));
        m.put("layers_per_block", (long) layersPerBlock);
        m.put("downsample_padding", (long) downsamplePadding);
        m.put("mid_block_scale_factor", decimal(midBlockScaleFactor));
        m.put("act_fn", "silu");
        m.put("norm_num_groups", (long) normNumGroups);
        m.put("norm_eps", decimal(normEps));
        m.put("cross_attention_dim", crossAttentionDim > 0 ? (Object) (long) crossAttentionDim : longs(blockOutChannels));
        m.put("attention_head_dim", longs(heads));
        m.put("use_linear_projection", useLinearProjection);
        m.put("upcast_attention", upcastAttention);
        m.put("transformer_layers_per_block", (long) transformerLayers);
        if (classEmbedInputDim > 0) {
            m.put("class_embed_type", "simple_projection");
            m.put("projection_class_embeddings_input_dim", (long) classEmbedInputDim);
            m.put("class_embeddings_concat", classEmbeddingsConcat);
        }
        return m;
    }

    /** A float as the double its shortest decimal spells (1e-5f -> 1.0E-5, not 9.99999974e-6). */
    static Double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    /**
     * Whether {@code config} is a diffusers UNet2DConditionModel config file; false when absent. A file that exists
     * but cannot be read, is not a JSON object or is empty is an error naming it, not "some other model's".
     */
    public static boolean isConfigFile(Path config) {
        if (config == null || !Files.isRegularFile(config)) return false;
        return "UNet2DConditionModel".equals(ReadFile.configObject(config, "not a config").get("_class_name"));
    }

    /**
     * The config implied by the tensors present and their shapes (see the class comment for SD's head rule). With a
     * {@code class_embedding} (AudioLDM's film_emb): heads of width 32, attn2 as self-attention when its key width is
     * the deepest level's channels, concatenation when the resnets' time_emb_proj reads twice the time embedding.
     */
    public static UNetConfig inferFrom(Weights w) {
        List<Integer> boc = new ArrayList<>();
        while (w.has("down_blocks." + boc.size() + ".resnets.0.conv1.weight"))
            boc.add((int) w.shape("down_blocks." + boc.size() + ".resnets.0.conv1.weight").orElseThrow()[0]);
        int n = boc.size();
        if (n == 0) throw new SynesthesiaException(w.source().description() + ": no down_blocks.0.resnets.0 in the UNet");
        int layers = 0;
        while (w.has("down_blocks.0.resnets." + layers + ".conv1.weight")) layers++;
        List<String> downTypes = new ArrayList<>(), upTypes = new ArrayList<>();
        int[] heads = new int[n];
        int[] bocArr = boc.stream().mapToInt(Integer::intValue).toArray();
        long[] projIn = w.shape("mid_block.attentions.0.proj_in.weight")
                .orElseThrow(() -> new SynesthesiaException(w.source().description() + ": no mid_block attention in the UNet"));
        boolean linear = projIn.length == 2;
        int classDim = w.has("class_embedding.weight") ? (int) w.shape("class_embedding.weight").orElseThrow()[1] : 0;
        for (int i = 0; i < n; i++) {
            downTypes.add(w.has("down_blocks." + i + ".attentions.0.proj_in.weight") ? CROSS_DOWN : DOWN);
            upTypes.add(w.has("up_blocks." + i + ".attentions.0.proj_in.weight") ? CROSS_UP : UP);
            heads[i] = linear ? Math.max(1, bocArr[i] / 64) : classDim > 0 ? Math.max(1, bocArr[i] / 32) : 8;
        }
        int tl = 0;
        while (w.has("mid_block.attentions.0.transformer_blocks." + tl + ".attn2.to_k.weight")) tl++;
        int cross = (int) w.shape("mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight").orElseThrow()[1];
        if (classDim > 0 && cross == bocArr[n - 1]) cross = 0; // AudioLDM: attn2 reads x itself
        int ted = (int) w.shape("time_embedding.linear_1.weight").orElseThrow()[0];
        boolean concat = classDim > 0 && w.shape("down_blocks.0.resnets.0.time_emb_proj.weight").orElseThrow()[1] == 2L * ted;
        long[] convIn = w.shape("conv_in.weight").orElseThrow();
        long[] convOut = w.shape("conv_out.weight").orElseThrow(() -> new SynesthesiaException(w.source().description() + ": no conv_out in the UNet"));
        return new UNetConfig(64, (int) convIn[1], (int) convOut[0], true, 0, downTypes, MID, upTypes, bocArr, layers, 1, 1,
                32, 1e-5f, cross, heads, linear, linear, tl, classDim, concat);
    }

    /** int values as the Long list a JSON config holds. */
    public static List<Long> longs(int[] v) {
        List<Long> l = new ArrayList<>(v.length);
        for (int x : v) l.add((long) x);
        return l;
    }

    private static void expect(Map<String, Object> c, String key, String value) {
        Object v = c.get(key);
        if (v != null && !value.equals(v)) throw new IllegalArgumentException("unet config: " + key + " = " + v + " is not supported (only " + value + ")");
    }

    private static String str(Map<String, Object> c, String key, String def) {
        Object v = c.get(key);
        if (v == null) return def;
        if (!(v instanceof String t)) throw new IllegalArgumentException("unet config: " + key + " is " + Json.write(v) + ", not a string");
        return t;
    }

    private static boolean bool(Map<String, Object> c, String key, boolean def) {
        Object v = c.get(key);
        if (v == null) return def;
        if (!(v instanceof Boolean b)) throw new IllegalArgumentException("unet config: " + key + " is " + Json.write(v) + ", not true or false");
        return b;
    }

    private static double num(Map<String, Object> c, String key, double def) {
        Object v = c.get(key);
        if (v == null) return def;
        if (!(v instanceof Number x)) throw new IllegalArgumentException("unet config: " + key + " is " + Json.write(v) + ", not a number");
        return x.doubleValue();
    }

    private static int integer(Map<String, Object> c, String key, int def) {
        Object v = c.get(key);
        return v == null ? def : intOf(v, key);
    }

    /** A JSON number that is a whole value in int range (1e40, 2.5 or 2^40 are refused, not truncated). */
    private static int intOf(Object v, String key) {
        if (v instanceof Number x) {
            double d = x.doubleValue();
            if (d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) return (int) d;
        }
        throw new IllegalArgumentException("unet config: " + key + " is " + Json.write(v) + ", not an integer");
    }

    private static List<String> strings(Map<String, Object> c, String key, List<String> def) {
        Object v = c.get(key);
        if (v == null) return def;
        if (!(v instanceof List<?> l)) throw new IllegalArgumentException("unet config: " + key + " is " + Json.write(v) + ", expected a list of block names");
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String t)) throw new IllegalArgumentException("unet config: " + key + " holds " + Json.write(o) + ", not a block name");
            out.add(t);
        }
        return out;
    }

    /** An int list; a single number is repeated {@code n} times (n < 0: a list is required). */
    private static int[] ints(Object v, int n, String key) {
        if (v instanceof Number && n >= 0) {
            int[] r = new int[n];
            Arrays.fill(r, intOf(v, key));
            return r;
        }
        if (!(v instanceof List<?> l)) throw new IllegalArgumentException("unet config: " + key + " is " + Json.write(v) + ", expected a list");
        if (n >= 0 && l.size() != n) throw new IllegalArgumentException("unet config: " + key + " has " + l.size() + " entries, expected " + n);
        if (l.size() > 64) throw new IllegalArgumentException("unet config: " + key + " has " + l.size() + " entries");
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) r[i] = intOf(l.get(i), key);
        return r;
    }

    /** Equality over all components (arrays by content), via {@link #toString()}, which lists them all. */
    @Override
    public boolean equals(Object o) {
        return o instanceof UNetConfig u && toString().equals(u.toString());
    }

    @Override
    public int hashCode() { return toString().hashCode(); }

    @Override
    public String toString() {
        return "UNetConfig[levels=" + Arrays.toString(blockOutChannels) + ", layers=" + layersPerBlock + ", heads=" + Arrays.toString(heads)
                + ", down=" + downBlockTypes + ", up=" + upBlockTypes + ", cross=" + crossAttentionDim + ", linearProj=" + useLinearProjection
                + ", groups=" + normNumGroups + ", eps=" + normEps + ", flip=" + flipSinToCos + ", shift=" + freqShift
                + ", transformerLayers=" + transformerLayers + ", midScale=" + midBlockScaleFactor + ", in=" + inChannels + ", out=" + outChannels
                + ", sampleSize=" + sampleSize + ", upcast=" + upcastAttention + ", downPad=" + downsamplePadding + ", mid=" + midBlockType
                + ", classEmbed=" + classEmbedInputDim + ", classConcat=" + classEmbeddingsConcat + "]";
    }
}
