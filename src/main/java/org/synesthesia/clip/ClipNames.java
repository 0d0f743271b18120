package org.synesthesia.clip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Palette;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Checkpoint tensor names of a CLIP text transformer to transformers' {@code CLIPTextModel} state-dict names
 * ({@code text_model.embeddings.token_embedding.weight}, {@code text_model.encoder.layers.N.self_attn.q_proj.weight},
 * ...), which the model uses throughout.
 *
 * <ul>
 *   <li>Hugging Face names under any prefix: {@code text_model.*} (a diffusers {@code text_encoder/}),
 *       {@code cond_stage_model.transformer.text_model.*} (SD 1.x single files), also the older layout without the
 *       {@code text_model.} segment ({@code cond_stage_model.transformer.embeddings...}). {@code position_ids} is a
 *       buffer (0..76) and is not used: positions are always 0..T-1.</li>
 *   <li>OpenCLIP names under any prefix ({@code cond_stage_model.model.} in SD 2.x single files):
 *       {@code token_embedding.weight}, {@code positional_embedding} = position embedding, {@code ln_final} =
 *       {@code final_layer_norm}, {@code transformer.resblocks.N.}{@code ln_1}/{@code ln_2} = {@code layer_norm1/2},
 *       {@code attn.in_proj_weight} [3d, d] and {@code in_proj_bias} [3d] = q, k, v stacked (rows [0,d), [d,2d),
 *       [2d,3d), given as views over the stored bytes), {@code attn.out_proj} = {@code self_attn.out_proj},
 *       {@code mlp.c_fc} = {@code mlp.fc1}, {@code mlp.c_proj} = {@code mlp.fc2}. {@code text_projection},
 *       {@code logit_scale} and {@code visual.*} are not part of the text transformer.</li>
 * </ul>
 * An instance indexes one {@link WeightSource}; errors name the file and the stored name.
 */
public final class ClipNames {
    /** How the checkpoint names the text transformer. */
    public enum Naming { HUGGING_FACE, OPEN_CLIP }

    private static final String HF_TOKEN = "embeddings.token_embedding.weight";
    private static final String OC_TOKEN = "token_embedding.weight";
    private static final String OC_BLOCK0 = "transformer.resblocks.0.attn.in_proj_weight";
    private static final Pattern OC_BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Pattern HF_LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\..+");
    private static final String[] QKV = {"q_proj", "k_proj", "v_proj"};

    /** A stored tensor, whole ({@code part} -1) or the {@code part}-th third of its rows (q, k, v of in_proj). */
    private record Ref(String stored, int part) {}

    private final WeightSource source;
    private final Naming naming;
    private final String prefix;
    private final Map<String, Ref> byHf;
    private final int layers;

    private ClipNames(WeightSource source, Naming naming, String prefix, Map<String, Ref> byHf, int layers) {
        this.source = source;
        this.naming = naming;
        this.prefix = prefix;
        this.byHf = byHf;
        this.layers = layers;
    }

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

    /** Indexes the one CLIP text transformer of {@code source}; none or several is an error naming the file. */
    public static ClipNames of(WeightSource source) {
        List<Found> f = find(source.names());
        if (f.isEmpty()) throw new SynesthesiaException(source.description() + ": no CLIP text transformer (looked for '" + HF_TOKEN + "' or OpenCLIP's '" + OC_TOKEN + "' with transformer.resblocks)");
        if (f.size() > 1) {
            List<String> ps = new ArrayList<>();
            for (Found x : f) ps.add("'" + x.prefix() + "'");
            throw new SynesthesiaException(source.description() + ": holds " + f.size() + " CLIP text transformers (prefixes " + String.join(", ", ps) + "); choose one");
        }
        return of(source, f.get(0));
    }

    /** Indexes the CLIP text transformer with this naming and prefix. */
    public static ClipNames of(WeightSource source, Found which) {
        Map<String, Ref> m = new LinkedHashMap<>();
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
                put(source, m, hf, new Ref(stored, -1));
            } else {
                switch (rest) {
                    case "token_embedding.weight" -> put(source, m, "text_model.embeddings.token_embedding.weight", new Ref(stored, -1));
                    case "positional_embedding" -> put(source, m, "text_model.embeddings.position_embedding.weight", new Ref(stored, -1));
                    case "ln_final.weight" -> put(source, m, "text_model.final_layer_norm.weight", new Ref(stored, -1));
                    case "ln_final.bias" -> put(source, m, "text_model.final_layer_norm.bias", new Ref(stored, -1));
                    default -> {
                        Matcher bm = OC_BLOCK.matcher(rest);
                        if (!bm.matches()) continue;
                        int i = Integer.parseInt(bm.group(1));
                        String layer = "text_model.encoder.layers." + i + ".";
                        String tail = bm.group(2);
                        switch (tail) {
                            case "attn.in_proj_weight", "attn.in_proj_bias" -> {
                                String kind = tail.endsWith("weight") ? ".weight" : ".bias";
                                for (int q = 0; q < 3; q++) put(source, m, layer + "self_attn." + QKV[q] + kind, new Ref(stored, q));
                            }
                            default -> {
                                String hf = openClipBlockTail(tail);
                                if (hf == null) continue;
                                put(source, m, layer + hf, new Ref(stored, -1));
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
        return new ClipNames(source, which.naming(), p, Collections.unmodifiableMap(m), layers);
    }

    /** The Hugging Face name inside a layer of an OpenCLIP residual block's tensor, or null if not one of them. */
    private static String openClipBlockTail(String tail) {
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

    private static void put(WeightSource source, Map<String, Ref> m, String hf, Ref r) {
        Ref prev = m.putIfAbsent(hf, r);
        if (prev != null)
            throw new SynesthesiaException(source.description() + ": tensors '" + prev.stored() + "' and '" + r.stored() + "' are both CLIP's " + hf);
    }

    public Naming naming() { return naming; }

    /** The prefix of the stored names, e.g. {@code cond_stage_model.model.}. */
    public String prefix() { return prefix; }

    /** Layers present (highest index + 1; all indices below it are checked present). */
    public int layerCount() { return layers; }

    public String description() { return source.description(); }

    /** Hugging Face names that this checkpoint provides. */
    public Collection<String> names() { return byHf.keySet(); }

    /** The tensor under its Hugging Face name: the stored tensor, or a view of its q, k or v rows. */
    public Optional<StoredTensor> find(String hf) {
        Ref r = byHf.get(hf);
        if (r == null) return Optional.empty();
        StoredTensor st = source.get(r.stored());
        return Optional.of(r.part() < 0 ? st : rowThird(st, r.part()));
    }

    /** As {@link #find}, or a one-line error naming the file and the missing tensor in this checkpoint's naming. */
    public StoredTensor get(String hf) {
        return find(hf).orElseThrow(() -> new SynesthesiaException(source.description() + ": no tensor for CLIP's " + hf
                + (naming == Naming.HUGGING_FACE ? " (stored as '" + prefix + hf.substring("text_model.".length()) + "')" : " (OpenCLIP names, prefix '" + prefix + "')")));
    }

    /** Rows [part*n/3, (part+1)*n/3) of a tensor [n, ...] (or [n]), as a view over the same bytes, named {@code NAME[q_proj]} etc. */
    static StoredTensor rowThird(StoredTensor st, int part) {
        long[] s = st.shape();
        if (s.length == 0 || s[0] % 3 != 0)
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has shape " + st.shapeString() + ", expected q, k, v stacked [3d, ...]");
        long rows = s[0] / 3, cols = st.elements() / s[0];
        long r0 = rows * part;
        long[] shape = s.clone();
        shape[0] = rows;
        DType t = st.dtype();
        if (t == DType.PAL) {
            Palette p = st.palette();
            long rowBytes = Palette.rowBytes(cols, p.bits());
            int gs = p.groupSize(), e = p.entries();
            float[] lut;
            int groupSize;
            if (r0 / gs == (r0 + rows - 1) / gs) {
                int g = (int) (r0 / gs);
                lut = Arrays.copyOfRange(p.lut(), g * e, (g + 1) * e);
                groupSize = (int) rows;
            } else if (r0 % gs == 0 && rows % gs == 0) {
                lut = Arrays.copyOfRange(p.lut(), (int) (r0 / gs) * e, (int) ((r0 + rows) / gs) * e);
                groupSize = gs;
            } else {
                throw new SynesthesiaException(st.source() + ": tensor " + st.name() + ": palette groups of " + gs + " rows do not split into q, k, v of " + rows + " rows");
            }
            return new StoredTensor(st.name() + "[" + QKV[part] + "]", t, shape, st.data().asSlice(r0 * rowBytes, rows * rowBytes), new Palette(p.bits(), groupSize, lut), st.source());
        }
        if (t == DType.Q8_ROW) {
            long rowBytes = DType.q8RowBytes(cols);
            return new StoredTensor(st.name() + "[" + QKV[part] + "]", t, shape, st.data().asSlice(r0 * rowBytes, rows * rowBytes), null, st.source());
        }
        if (cols % t.blockSize != 0)
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + ": rows of " + cols + " values are not whole " + t + " blocks");
        long rowBytes = t.bytesFor(cols);
        return new StoredTensor(st.name() + "[" + QKV[part] + "]", t, shape, st.data().asSlice(r0 * rowBytes, rows * rowBytes), null, st.source());
    }
}
