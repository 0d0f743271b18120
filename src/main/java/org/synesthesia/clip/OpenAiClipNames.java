package org.synesthesia.clip;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * openai CLIP's own state-dict names ({@code clip.model.CLIP}: what {@code model.state_dict()} of openai's
 * TorchScript {@code .pt} files gives, and the same layout in OpenCLIP ViT checkpoints) to transformers'
 * {@code CLIPModel} names, CLIP's canonical names. ViT models only; openai's ResNet models ({@code RN50}, ...) are a
 * one-line error.
 *
 * <table>
 *   <caption>stored -> canonical</caption>
 *   <tr><td>{@code visual.conv1.weight}</td><td>{@code vision_model.embeddings.patch_embedding.weight}</td></tr>
 *   <tr><td>{@code visual.class_embedding}</td><td>{@code vision_model.embeddings.class_embedding}</td></tr>
 *   <tr><td>{@code visual.positional_embedding}</td><td>{@code vision_model.embeddings.position_embedding.weight}</td></tr>
 *   <tr><td>{@code visual.ln_pre.*}, {@code visual.ln_post.*}</td><td>{@code vision_model.pre_layrnorm.*}, {@code vision_model.post_layernorm.*}</td></tr>
 *   <tr><td>{@code visual.transformer.resblocks.N.*}</td><td>{@code vision_model.encoder.layers.N.*} (below)</td></tr>
 *   <tr><td>{@code visual.proj} [width, embed] (used as {@code x @ proj})</td><td>{@code visual_projection.weight} [embed, width] = its transpose</td></tr>
 *   <tr><td>{@code token_embedding.weight}, {@code positional_embedding}</td><td>{@code text_model.embeddings.token_embedding.weight}, {@code ...position_embedding.weight}</td></tr>
 *   <tr><td>{@code transformer.resblocks.N.*}</td><td>{@code text_model.encoder.layers.N.*} (below)</td></tr>
 *   <tr><td>{@code ln_final.*}</td><td>{@code text_model.final_layer_norm.*}</td></tr>
 *   <tr><td>{@code text_projection} [width, embed]</td><td>{@code text_projection.weight} [embed, width] = its transpose</td></tr>
 *   <tr><td>{@code logit_scale}</td><td>{@code logit_scale}</td></tr>
 * </table>
 * In a residual block: {@code attn.in_proj_weight} [3d, d] / {@code in_proj_bias} [3d] = q, k, v stacked by rows
 * ({@code self_attn.q_proj/k_proj/v_proj}: row blocks [0,d), [d,2d), [2d,3d)), {@code attn.out_proj} =
 * {@code self_attn.out_proj}, {@code ln_1}/{@code ln_2} = {@code layer_norm1/2}, {@code mlp.c_fc} = {@code mlp.fc1},
 * {@code mlp.c_proj} = {@code mlp.fc2}. openai's non-weight entries ({@code input_resolution},
 * {@code context_length}, {@code vocab_size}) are left out, as {@code build_model} deletes them.
 *
 * <p>{@link #view} presents a checkpoint under the canonical names ({@link OpenAiClipSource}); {@link #config}
 * infers the model's hyper-parameters from the shapes.
 */
public final class OpenAiClipNames {
    private OpenAiClipNames() {}

    /** How one canonical tensor comes from the checkpoint. */
    public enum Kind { WHOLE, ROW_BLOCK, TRANSPOSED }

    /**
     * @param stored the checkpoint's name
     * @param kind   the tensor as stored, one of 3 row blocks ({@code block} 0, 1, 2 = q, k, v), or the 2-d transpose
     */
    public record Derived(String stored, Kind kind, int block) {}

    private static final String CONV1 = "visual.conv1.weight";
    private static final String TOKEN = "token_embedding.weight";
    private static final Pattern BLOCK = Pattern.compile("(visual\\.)?transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final String[] QKV = {"q_proj", "k_proj", "v_proj"};

    /** Whether these names are an openai-layout CLIP (a ViT or ResNet vision tower at {@code visual.}, or the text tower at the top level with {@code text_projection}). */
    public static boolean isOpenAiClip(Collection<String> names) {
        Set<String> all = names instanceof Set<String> s ? s : new LinkedHashSet<>(names);
        return all.contains(CONV1) || all.contains("visual.attnpool.positional_embedding")
                || (all.contains(TOKEN) && all.contains("text_projection") && all.contains("transformer.resblocks.0.attn.in_proj_weight"));
    }

    /** {@code source} under transformers' CLIP names if it is an openai-layout CLIP ({@link #view}), else {@code source} itself. */
    public static WeightSource asTransformers(WeightSource source) {
        return isOpenAiClip(source.names()) ? view(source) : source;
    }

    /** The view of an openai-layout CLIP under transformers' names; it owns {@code source} (closing it closes both). */
    public static OpenAiClipSource view(WeightSource source) {
        return new OpenAiClipSource(source, mapping(source), config(source));
    }

    /** Canonical name -> how it comes from the checkpoint, vision tower then text tower. */
    public static Map<String, Derived> mapping(WeightSource source) {
        Set<String> names = new LinkedHashSet<>(source.names());
        if (names.contains("visual.attnpool.positional_embedding") || names.contains("visual.layer1.0.conv1.weight"))
            throw new SynesthesiaException(source.description() + ": an openai ResNet CLIP (RN50 and kin): only the ViT models are supported");
        Map<String, Derived> m = new LinkedHashMap<>();
        TreeSet<Integer> vision = new TreeSet<>(), text = new TreeSet<>();
        for (String stored : names) {
            switch (stored) {
                case CONV1 -> whole(source, m, "vision_model.embeddings.patch_embedding.weight", stored);
                case "visual.class_embedding" -> whole(source, m, "vision_model.embeddings.class_embedding", stored);
                case "visual.positional_embedding" -> whole(source, m, "vision_model.embeddings.position_embedding.weight", stored);
                case "visual.ln_pre.weight" -> whole(source, m, "vision_model.pre_layrnorm.weight", stored);
                case "visual.ln_pre.bias" -> whole(source, m, "vision_model.pre_layrnorm.bias", stored);
                case "visual.ln_post.weight" -> whole(source, m, "vision_model.post_layernorm.weight", stored);
                case "visual.ln_post.bias" -> whole(source, m, "vision_model.post_layernorm.bias", stored);
                case "visual.proj" -> put(source, m, "visual_projection.weight", new Derived(stored, Kind.TRANSPOSED, 0));
                case TOKEN -> whole(source, m, "text_model.embeddings.token_embedding.weight", stored);
                case "positional_embedding" -> whole(source, m, "text_model.embeddings.position_embedding.weight", stored);
                case "ln_final.weight" -> whole(source, m, "text_model.final_layer_norm.weight", stored);
                case "ln_final.bias" -> whole(source, m, "text_model.final_layer_norm.bias", stored);
                case "text_projection" -> put(source, m, "text_projection.weight", new Derived(stored, Kind.TRANSPOSED, 0));
                case "logit_scale" -> whole(source, m, "logit_scale", stored);
                default -> {
                    Matcher b = BLOCK.matcher(stored);
                    if (!b.matches()) continue;
                    boolean visual = b.group(1) != null;
                    int i = Integer.parseInt(b.group(2));
                    String layer = (visual ? "vision_model" : "text_model") + ".encoder.layers." + i + ".";
                    String tail = b.group(3);
                    if (tail.equals("attn.in_proj_weight") || tail.equals("attn.in_proj_bias")) {
                        String kind = tail.endsWith("weight") ? ".weight" : ".bias";
                        for (int q = 0; q < 3; q++) put(source, m, layer + "self_attn." + QKV[q] + kind, new Derived(stored, Kind.ROW_BLOCK, q));
                    } else {
                        String hf = blockTail(tail);
                        if (hf == null) continue;
                        whole(source, m, layer + hf, stored);
                    }
                    (visual ? vision : text).add(i);
                }
            }
        }
        if (m.isEmpty()) throw new SynesthesiaException(source.description() + ": no openai CLIP tensors (looked for '" + CONV1 + "' and '" + TOKEN + "')");
        checkLayers(source, vision, "vision");
        checkLayers(source, text, "text");
        return m;
    }

    /** The hyper-parameters, from the shapes (see {@link OpenAiClipConfig}). */
    public static OpenAiClipConfig config(WeightSource source) {
        int visionWidth = 0, patch = 0, resolution = 0, visionMlp = 0, visionLayers = 0;
        if (source.contains(CONV1)) {
            long[] conv = shape(source, CONV1, 4);
            visionWidth = (int) conv[0];
            patch = (int) conv[3];
            long positions = shape(source, "visual.positional_embedding", 2)[0];
            resolution = patch * (int) Math.round(Math.sqrt(positions - 1));
            visionLayers = layers(source.names(), "visual.transformer.resblocks.");
            visionMlp = (int) shape(source, "visual.transformer.resblocks.0.mlp.c_fc.weight", 2)[0];
        }
        int context = 0, vocab = 0, textWidth = 0, textMlp = 0, textLayers = 0;
        if (source.contains(TOKEN)) {
            long[] tok = shape(source, TOKEN, 2);
            vocab = (int) tok[0];
            textWidth = (int) tok[1];
            context = (int) shape(source, "positional_embedding", 2)[0];
            textLayers = layers(source.names(), "transformer.resblocks.");
            textMlp = (int) shape(source, "transformer.resblocks.0.mlp.c_fc.weight", 2)[0];
        }
        int embed = source.contains("text_projection") ? (int) shape(source, "text_projection", 2)[1]
                : source.contains("visual.proj") ? (int) shape(source, "visual.proj", 2)[1] : 0;
        return new OpenAiClipConfig(embed, resolution, visionWidth, visionLayers, patch, visionMlp, context, vocab, textWidth, textLayers, textMlp);
    }

    private static long[] shape(WeightSource source, String name, int rank) {
        StoredTensor t = source.get(name);
        if (t.rank() != rank) throw new SynesthesiaException(source.description() + ": tensor " + name + " has shape " + t.shapeString() + ", expected rank " + rank);
        return t.shape();
    }

    private static int layers(Collection<String> names, String prefix) {
        Set<String> idx = new LinkedHashSet<>();
        for (String n : names)
            if (n.startsWith(prefix)) {
                String rest = n.substring(prefix.length());
                int dot = rest.indexOf('.');
                if (dot > 0) idx.add(rest.substring(0, dot));
            }
        return idx.size();
    }

    private static void checkLayers(WeightSource source, TreeSet<Integer> idx, String tower) {
        if (idx.isEmpty()) return;
        for (int i = 0; i <= idx.last(); i++)
            if (!idx.contains(i)) throw new SynesthesiaException(source.description() + ": openai CLIP " + tower + " layers 0.." + idx.last() + " but layer " + i + " is missing");
    }

    /** The transformers name inside a layer of an openai residual block's tensor (OpenCLIP's layout), or null if not one of them. */
    private static String blockTail(String tail) {
        return ClipNames.openClipBlockTail(tail);
    }

    private static void whole(WeightSource source, Map<String, Derived> m, String hf, String stored) {
        put(source, m, hf, new Derived(stored, Kind.WHOLE, 0));
    }

    private static void put(WeightSource source, Map<String, Derived> m, String hf, Derived d) {
        Derived prev = m.putIfAbsent(hf, d);
        if (prev != null) throw new SynesthesiaException(source.description() + ": tensors '" + prev.stored() + "' and '" + d.stored() + "' are both CLIP's " + hf);
    }
}
