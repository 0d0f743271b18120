package org.synesthesia.clip;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.nn.Weights;
import org.synesthesia.util.SynesthesiaException;

/**
 * Checkpoint tensor names of a CLIP text transformer to transformers' {@code CLIPTextModel} state-dict names
 * ({@code text_model.embeddings.token_embedding.weight}, {@code text_model.encoder.layers.N.self_attn.q_proj.weight},
 * ...), CLIP text's canonical names.
 *
 * <ul>
 *   <li>Hugging Face names under any prefix: {@code text_model.*} (a diffusers {@code text_encoder/}),
 *       {@code cond_stage_model.transformer.text_model.*} (SD 1.x single files), also the older layout without the
 *       {@code text_model.} segment ({@code cond_stage_model.transformer.embeddings...}). {@code position_ids} is a
 *       buffer (0..76) and is not used: positions are always 0..T-1.</li>
 *   <li>OpenCLIP names under any prefix ({@code cond_stage_model.model.} in SD 2.x single files):
 *       {@code token_embedding.weight}, {@code positional_embedding} = position embedding, {@code ln_final} =
 *       {@code final_layer_norm}, {@code transformer.resblocks.N.}{@code ln_1}/{@code ln_2} = {@code layer_norm1/2},
 *       {@code attn.in_proj_weight} [3d, d] and {@code in_proj_bias} [3d] = q, k, v stacked (row blocks [0,d),
 *       [d,2d), [2d,3d), views over the stored bytes named {@code ...in_proj_weight[q_proj]}),
 *       {@code attn.out_proj} = {@code self_attn.out_proj}, {@code mlp.c_fc} = {@code mlp.fc1}, {@code mlp.c_proj} =
 *       {@code mlp.fc2}. {@code text_projection}, {@code logit_scale} and {@code visual.*} are not part of the text
 *       transformer.</li>
 * </ul>
 * {@link #mapping} gives the {@link NameMapping} of one text transformer in a checkpoint, {@link #of} its tensors
 * by canonical name.
 */
public final class ClipNames {
    /** How the checkpoint names the text transformer. */
    public enum Naming { HUGGING_FACE, OPEN_CLIP }

    /** What {@link Weights} calls the model in messages. */
    static final String WHAT = "CLIP text";
    private static final String TOKEN = "text_model.embeddings.token_embedding.weight";
    private static final String HF_TOKEN = "embeddings.token_embedding.weight";
    private static final String OC_TOKEN = "token_embedding.weight";
    private static final String OC_BLOCK0 = "transformer.resblocks.0.attn.in_proj_weight";
    private static final Pattern OC_BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Pattern HF_LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\..+");
    private static final String[] QKV = {"q_proj", "k_proj", "v_proj"};

    private ClipNames() {}

    /** A CLIP text transformer found in a checkpoint: its naming and the prefix of its tensor names. */
    public record Found(Naming naming, String prefix) {}

    /** Every CLIP text transformer in these names (none, one, or several as in SDXL's two encoders). */
    public static List<Found> find(Collection<String> names) {
        Set<String> all = names instanceof Set<String> s ? s : new LinkedHashSet<>(names);
        List<Found> out = new ArrayList<>();
        for (String n : all) {
            if (n.endsWith(HF_TOKEN)) {
                String p = n.substring(0, n.length() - HF_TOKEN.length());
                if (all.contains(p + "encoder.layers.0.self_attn.q_proj.weight")) out.add(new Found(Naming.HUGGING_FACE, p));
            } else if (n.endsWith(OC_TOKEN)) {
                String p = n.substring(0, n.length() - OC_TOKEN.length());
                if (all.contains(p + OC_BLOCK0)) out.add(new Found(Naming.OPEN_CLIP, p));
            }
        }
        return out;
    }

    /** Whether these names hold exactly one CLIP text transformer. */
    public static boolean isClipText(Collection<String> names) {
        return find(names).size() == 1;
    }

    /** The tensors of the one CLIP text transformer of {@code source} by canonical name; none or several is an error naming the file. */
    public static Weights of(WeightSource source) {
        return Weights.of(WHAT, source, mapping(source));
    }

    /** The tensors of the CLIP text transformer with this naming and prefix, by canonical name. */
    public static Weights of(WeightSource source, Found which) {
        return Weights.of(WHAT, source, mapping(source, which));
    }

    /** The mapping of the one CLIP text transformer of {@code source}; none or several is an error naming the file. */
    public static NameMapping mapping(WeightSource source) {
        List<Found> f = find(source.names());
        if (f.isEmpty()) throw new SynesthesiaException(source.description() + ": no CLIP text transformer (looked for '" + HF_TOKEN + "' or OpenCLIP's '" + OC_TOKEN + "' with transformer.resblocks)");
        if (f.size() > 1) {
            List<String> ps = new ArrayList<>();
            for (Found x : f) ps.add("'" + x.prefix() + "'");
            throw new SynesthesiaException(source.description() + ": holds " + f.size() + " CLIP text transformers (prefixes " + String.join(", ", ps) + "); choose one");
        }
        return mapping(source, f.get(0));
    }

    /**
     * Canonical name -> stored name (q, k, v of OpenCLIP's {@code in_proj}: row blocks) of the CLIP text
     * transformer with this naming and prefix; two tensors for one name, or a gap in the layer indices, is an error.
     */
    public static NameMapping mapping(WeightSource source, Found which) {
        Map<String, String> m = new LinkedHashMap<>();
        Map<String, NameMapping.RowBlock> blocks = new LinkedHashMap<>();
        TreeSet<Integer> idx = new TreeSet<>();
        String p = which.prefix();
        for (String stored : source.names()) {
            if (!stored.startsWith(p)) continue;
            String rest = stored.substring(p.length());
            if (which.naming() == Naming.HUGGING_FACE) {
                String hf = "text_model." + rest;
                if (hf.equals("text_model.embeddings.position_ids")) continue;
                if (!hf.startsWith("text_model.embeddings.") && !hf.startsWith("text_model.encoder.layers.") && !hf.startsWith("text_model.final_layer_norm.")) continue;
                Matcher lm = HF_LAYER.matcher(hf);
                if (lm.matches()) idx.add(Integer.parseInt(lm.group(1)));
                put(source, m, blocks, hf, stored);
            } else {
                switch (rest) {
                    case "token_embedding.weight" -> put(source, m, blocks, TOKEN, stored);
                    case "positional_embedding" -> put(source, m, blocks, "text_model.embeddings.position_embedding.weight", stored);
                    case "ln_final.weight" -> put(source, m, blocks, "text_model.final_layer_norm.weight", stored);
                    case "ln_final.bias" -> put(source, m, blocks, "text_model.final_layer_norm.bias", stored);
                    default -> {
                        Matcher bm = OC_BLOCK.matcher(rest);
                        if (!bm.matches()) continue;
                        int i = Integer.parseInt(bm.group(1));
                        String layer = "text_model.encoder.layers." + i + ".";
                        String tail = bm.group(2);
                        switch (tail) {
                            case "attn.in_proj_weight", "attn.in_proj_bias" -> {
                                String kind = tail.endsWith("weight") ? ".weight" : ".bias";
                                for (int q = 0; q < 3; q++) {
                                    String hf = layer + "self_attn." + QKV[q] + kind;
                                    checkNew(source, m, blocks, hf, stored);
                                    blocks.put(hf, new NameMapping.RowBlock(stored, q, 3, QKV[q]));
                                }
                            }
                            default -> {
                                String hf = openClipBlockTail(tail);
                                if (hf == null) continue;
                                put(source, m, blocks, layer + hf, stored);
                            }
                        }
                        idx.add(i);
                    }
                }
            }
        }
        int layers = idx.isEmpty() ? 0 : idx.last() + 1;
        for (int i = 0; i < layers; i++)
            if (!idx.contains(i)) throw new SynesthesiaException(source.description() + ": CLIP text layers 0.." + (layers - 1) + " but layer " + i + " is missing");
        if (which.naming() == Naming.HUGGING_FACE)
            return new NameMapping("Hugging Face names under '" + p + "'", m, blocks, hf -> p + hf.substring("text_model.".length()));
        return new NameMapping("OpenCLIP names under '" + p + "'", m, blocks, null);
    }

    /** How the checkpoint behind {@code w} (from {@link #of}) names the text transformer. */
    public static Naming naming(Weights w) {
        String tok = w.storedNames().get(TOKEN);
        return tok != null && tok.endsWith(HF_TOKEN) ? Naming.HUGGING_FACE : Naming.OPEN_CLIP;
    }

    /** The prefix of the stored names, e.g. {@code cond_stage_model.model.}. */
    public static String prefix(Weights w) {
        String tok = w.storedNames().get(TOKEN);
        if (tok == null) return "";
        return tok.substring(0, tok.length() - (naming(w) == Naming.HUGGING_FACE ? HF_TOKEN : OC_TOKEN).length());
    }

    /** Layers present (highest index + 1; {@link #mapping} checked that all indices below it are present). */
    public static int layerCount(Weights w) {
        int n = 0;
        for (String c : w.canonicalNames()) {
            Matcher lm = HF_LAYER.matcher(c);
            if (lm.matches()) n = Math.max(n, Integer.parseInt(lm.group(1)) + 1);
        }
        return n;
    }

    /** The Hugging Face name inside a layer of an OpenCLIP residual block's tensor, or null if not one of them. */
    static String openClipBlockTail(String tail) {
        int dot = tail.lastIndexOf('.');
        if (dot < 0) return null;
        String mod = tail.substring(0, dot), kind = tail.substring(dot);
        if (!kind.equals(".weight") && !kind.equals(".bias")) return null;
        String hf = switch (mod) {
            case "ln_1" -> "layer_norm1";
            case "ln_2" -> "layer_norm2";
            case "attn.out_proj" -> "self_attn.out_proj";
            case "mlp.c_fc" -> "mlp.fc1";
            case "mlp.c_proj" -> "mlp.fc2";
            default -> null;
        };
        return hf == null ? null : hf + kind;
    }

    private static void put(WeightSource source, Map<String, String> m, Map<String, NameMapping.RowBlock> blocks, String hf, String stored) {
        checkNew(source, m, blocks, hf, stored);
        m.put(hf, stored);
    }

    private static void checkNew(WeightSource source, Map<String, String> m, Map<String, NameMapping.RowBlock> blocks, String hf, String stored) {
        String prev = m.containsKey(hf) ? m.get(hf) : blocks.containsKey(hf) ? blocks.get(hf).stored() : null;
        if (prev != null)
            throw new SynesthesiaException(source.description() + ": tensors '" + prev + "' and '" + stored + "' are both CLIP's " + hf);
    }
}
