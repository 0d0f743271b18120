package org.synesthesia.whisper;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.nn.Weights;
import org.synesthesia.util.SynesthesiaException;

/**
 * Checkpoint tensor names to openai/whisper's state-dict names, Whisper's canonical names.
 *
 * <ul>
 *   <li>openai ({@code .pt}, safetensors exports) and whisper.cpp ggml files: already openai names
 *       ({@code encoder.blocks.N.attn.query.weight}); whisper.cpp's converters write them unchanged (its ggml
 *       conv biases are [n, 1], which the model accepts).</li>
 *   <li>Hugging Face transformers ({@code WhisperForConditionalGeneration}: {@code model.} prefix;
 *       {@code WhisperModel}: none): {@code layers.N} = {@code blocks.N}, {@code self_attn.{q,k,v,out}_proj} =
 *       {@code attn.{query,key,value,out}}, {@code encoder_attn} = {@code cross_attn},
 *       {@code self_attn_layer_norm} = {@code attn_ln}, {@code encoder_attn_layer_norm} = {@code cross_attn_ln},
 *       {@code final_layer_norm} = {@code mlp_ln}, {@code fc1} = {@code mlp.0}, {@code fc2} = {@code mlp.2},
 *       {@code encoder.layer_norm} = {@code encoder.ln_post}, {@code decoder.layer_norm} = {@code decoder.ln},
 *       {@code embed_positions.weight} = {@code positional_embedding}, {@code embed_tokens} =
 *       {@code token_embedding}. {@code proj_out.weight} is the tied token embedding and is not used.</li>
 * </ul>
 * {@link #mapping} gives the {@link NameMapping} of a checkpoint (layout {@code openai names} or
 * {@code Hugging Face names}); {@link #of} the checkpoint's tensors by openai name.
 */
public final class WhisperNames {
    /** What {@link Weights} calls the model in messages ({@code (whisper's encoder.ln_post.bias)}). */
    static final String WHAT = "whisper";

    private WhisperNames() {}

    /** The tensors of {@code source} by openai name; two tensors with the same openai name are an error. */
    public static Weights of(WeightSource source) {
        return Weights.of(WHAT, source, mapping(source));
    }

    /**
     * openai name -> stored name for {@code source}'s tensors; two tensors with the same openai name are a
     * one-line error. An absent tensor is named in the checkpoint's own layout.
     */
    public static NameMapping mapping(WeightSource source) {
        Map<String, String> m = new LinkedHashMap<>();
        String hfPrefix = null; // null for openai naming; else the prefix of the Hugging Face names (model. or empty)
        for (String stored : source.names()) {
            String o = toOpenai(stored);
            if (o == null) continue;
            if (hfPrefix == null && !o.equals(stored) && !stored.equals("model." + o)) hfPrefix = stored.startsWith("model.") ? "model." : "";
            String prev = m.putIfAbsent(o, stored);
            if (prev != null)
                throw new SynesthesiaException(source.description() + ": tensors '" + prev + "' and '" + stored + "' are both whisper's " + o);
        }
        if (hfPrefix == null && !m.isEmpty() && m.values().iterator().next().startsWith("model.")) hfPrefix = "model.";
        String hf = hfPrefix;
        return new NameMapping(hf == null ? "openai names" : "Hugging Face names", m, Map.of(),
                openai -> hf == null ? openai : hf + toHuggingFace(openai));
    }

    /**
     * openai's shape of the tensor named {@code openai} that a checkpoint stores with shape {@code stored}: the
     * convolution biases are [n], which whisper.cpp's ggml files store as [n, 1] (or [1, n]); every other shape is
     * the same in every layout.
     */
    public static long[] canonicalShape(String openai, long[] stored) {
        boolean convBias = openai.equals("encoder.conv1.bias") || openai.equals("encoder.conv2.bias");
        if (convBias && stored.length == 2 && (stored[0] == 1 || stored[1] == 1)) return new long[] {stored[0] * stored[1]};
        return stored;
    }

    /** Whether these names hold a Whisper model (its first convolution and token embedding, in any naming). */
    public static boolean isWhisper(Collection<String> storedNames) {
        boolean conv = false, tok = false;
        for (String n : storedNames) {
            String o = toOpenai(n);
            if ("encoder.conv1.weight".equals(o)) conv = true;
            if ("decoder.token_embedding.weight".equals(o)) tok = true;
        }
        return conv && tok;
    }

    /**
     * The openai name of a stored tensor, or null if it is not one of Whisper's (e.g. {@code proj_out.weight},
     * tied to the token embedding).
     */
    public static String toOpenai(String stored) {
        String n = stored.startsWith("model.") ? stored.substring("model.".length()) : stored;
        String part;
        if (n.startsWith("encoder.")) part = "encoder";
        else if (n.startsWith("decoder.")) part = "decoder";
        else return null;
        String rest = n.substring(part.length() + 1);
        switch (rest) {
            case "embed_positions.weight": return part + ".positional_embedding";
            case "layer_norm.weight": return part + (part.equals("encoder") ? ".ln_post" : ".ln") + ".weight";
            case "layer_norm.bias": return part + (part.equals("encoder") ? ".ln_post" : ".ln") + ".bias";
            case "embed_tokens.weight": return part.equals("decoder") ? "decoder.token_embedding.weight" : null;
            default: break;
        }
        if (rest.startsWith("layers.")) {
            int dot = rest.indexOf('.', "layers.".length());
            if (dot < 0) return null;
            String index = rest.substring("layers.".length(), dot);
            if (!index.chars().allMatch(Character::isDigit) || index.isEmpty()) return null;
            String inner = hfLayerToOpenai(rest.substring(dot + 1));
            return inner == null ? null : part + ".blocks." + index + "." + inner;
        }
        return n;
    }

    private static String hfLayerToOpenai(String inner) {
        int dot = inner.lastIndexOf('.');
        if (dot < 0) return null;
        String module = inner.substring(0, dot), param = inner.substring(dot);
        String mapped = switch (module) {
            case "self_attn_layer_norm" -> "attn_ln";
            case "encoder_attn_layer_norm" -> "cross_attn_ln";
            case "final_layer_norm" -> "mlp_ln";
            case "fc1" -> "mlp.0";
            case "fc2" -> "mlp.2";
            case "self_attn.q_proj" -> "attn.query";
            case "self_attn.k_proj" -> "attn.key";
            case "self_attn.v_proj" -> "attn.value";
            case "self_attn.out_proj" -> "attn.out";
            case "encoder_attn.q_proj" -> "cross_attn.query";
            case "encoder_attn.k_proj" -> "cross_attn.key";
            case "encoder_attn.v_proj" -> "cross_attn.value";
            case "encoder_attn.out_proj" -> "cross_attn.out";
            default -> null;
        };
        return mapped == null ? null : mapped + param;
    }

    /** The Hugging Face name of an openai name, without the {@code model.} prefix (the inverse of {@link #toOpenai}). */
    public static String toHuggingFace(String openai) {
        String part = openai.startsWith("encoder.") ? "encoder" : openai.startsWith("decoder.") ? "decoder" : null;
        if (part == null) return openai;
        String rest = openai.substring(part.length() + 1);
        switch (rest) {
            case "positional_embedding": return part + ".embed_positions.weight";
            case "token_embedding.weight": return part + ".embed_tokens.weight";
            case "ln_post.weight", "ln.weight": return part + ".layer_norm.weight";
            case "ln_post.bias", "ln.bias": return part + ".layer_norm.bias";
            default: break;
        }
        if (!rest.startsWith("blocks.")) return openai;
        int dot = rest.indexOf('.', "blocks.".length());
        if (dot < 0) return openai;
        String index = rest.substring("blocks.".length(), dot);
        String inner = rest.substring(dot + 1);
        int pd = inner.lastIndexOf('.');
        if (pd < 0) return openai;
        String module = inner.substring(0, pd), param = inner.substring(pd);
        String mapped = switch (module) {
            case "attn_ln" -> "self_attn_layer_norm";
            case "cross_attn_ln" -> "encoder_attn_layer_norm";
            case "mlp_ln" -> "final_layer_norm";
            case "mlp.0" -> "fc1";
            case "mlp.2" -> "fc2";
            case "attn.query" -> "self_attn.q_proj";
            case "attn.key" -> "self_attn.k_proj";
            case "attn.value" -> "self_attn.v_proj";
            case "attn.out" -> "self_attn.out_proj";
            case "cross_attn.query" -> "encoder_attn.q_proj";
            case "cross_attn.key" -> "encoder_attn.k_proj";
            case "cross_attn.value" -> "encoder_attn.v_proj";
            case "cross_attn.out" -> "encoder_attn.out_proj";
            default -> null;
        };
        return mapped == null ? openai : part + ".layers." + index + "." + mapped + param;
    }
}
