package org.synesthesia.clap;

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
 * Checkpoint tensor names of CLAP's text branch. Canonical names are the CLAP module's own (laion CLAP /
 * AudioLDM's {@code open_clip.model.CLAP}): {@code text_branch.*} (a transformers {@code RobertaModel}:
 * {@code embeddings.{word,position,token_type}_embeddings}, {@code embeddings.LayerNorm},
 * {@code encoder.layer.N.*}, {@code pooler.dense}) and {@code text_projection.{0,2}.*} (the Linear-ReLU-Linear
 * MLP). A checkpoint stores them under a prefix: {@code cond_stage_model.model.} in AudioLDM's {@code .ckpt}, none
 * in a bare CLAP state dict. transformers' {@code ClapTextModelWithProjection} (a diffusers AudioLDM pipeline's
 * {@code text_encoder/}) stores the same tensors as {@code text_model.*} (= {@code text_branch.*}) and
 * {@code text_projection.linear1/linear2.*} (= {@code text_projection.0/2.*}). Not mapped:
 * {@code text_branch.embeddings.position_ids} and {@code token_type_ids} (buffers; positions are computed from the
 * ids, token types are all 0), {@code text_transform.*} and {@code logit_scale_*} (unused by the text embedding) and
 * everything of the audio side.
 */
public final class ClapNames {
    /** What {@link Weights} calls the model in messages. */
    static final String WHAT = "CLAP text";
    private static final String WORD = "text_branch.embeddings.word_embeddings.weight";
    private static final String PROJ0 = "text_projection.0.weight";
    private static final String HF_WORD = "text_model.embeddings.word_embeddings.weight";
    private static final String HF_PROJ0 = "text_projection.linear1.weight";
    private static final Pattern LAYER = Pattern.compile("text_branch\\.encoder\\.layer\\.(\\d+)\\..+");

    private ClapNames() {}

    /** The prefixes under which these names hold a CLAP text branch (its word embedding and projection). */
    public static List<String> find(Collection<String> names) {
        Set<String> all = names instanceof Set<String> s ? s : new LinkedHashSet<>(names);
        List<String> out = new ArrayList<>();
        for (String n : all)
            if (n.endsWith(WORD)) {
                String p = n.substring(0, n.length() - WORD.length());
                if (all.contains(p + PROJ0) && all.contains(p + "text_branch.encoder.layer.0.attention.self.query.weight")) out.add(p);
            } else if (n.endsWith(HF_WORD)) {
                String p = n.substring(0, n.length() - HF_WORD.length());
                if (all.contains(p + HF_PROJ0) && all.contains(p + "text_model.encoder.layer.0.attention.self.query.weight")) out.add(p);
            }
        return out;
    }

    /** Whether these names hold exactly one CLAP text branch. */
    public static boolean isClapText(Collection<String> names) {
        return find(names).size() == 1;
    }

    /** The tensors of the one CLAP text branch of {@code source} by canonical name. */
    public static Weights of(WeightSource source) {
        return Weights.of(WHAT, source, mapping(source));
    }

    /** Canonical name -> stored name of the one CLAP text branch of {@code source}; none, several, or a gap in the layers is an error naming the file. */
    public static NameMapping mapping(WeightSource source) {
        List<String> f = find(source.names());
        if (f.isEmpty())
            throw new SynesthesiaException(source.description() + ": no CLAP text branch (looked for '" + WORD + "' and '" + PROJ0 + "' under one prefix)");
        if (f.size() > 1) throw new SynesthesiaException(source.description() + ": holds " + f.size() + " CLAP text branches (prefixes '"
                + String.join("', '", f) + "'); choose one");
        String p = f.get(0);
        boolean hf = source.names().contains(p + HF_WORD);
        Map<String, String> m = new LinkedHashMap<>();
        TreeSet<Integer> idx = new TreeSet<>();
        for (String stored : source.names()) {
            if (!stored.startsWith(p)) continue;
            String c = stored.substring(p.length());
            if (hf) c = fromTransformers(c);
            if (!isTextBranchTensor(c)) continue;
            Matcher lm = LAYER.matcher(c);
            if (lm.matches()) idx.add(Integer.parseInt(lm.group(1)));
            m.put(c, stored);
        }
        int layers = idx.isEmpty() ? 0 : idx.last() + 1;
        for (int i = 0; i < layers; i++)
            if (!idx.contains(i)) throw new SynesthesiaException(source.description() + ": CLAP text layers 0.." + (layers - 1) + " but layer " + i + " is missing");
        String layout = (hf ? "transformers CLAP names" : "CLAP names") + (p.isEmpty() ? "" : " under '" + p + "'");
        return new NameMapping(layout, m, Map.of(), c -> p + (hf ? toTransformers(c) : c));
    }

    /** transformers' ClapTextModelWithProjection name -> ours: text_model.* -> text_branch.*, text_projection.linear1/2 -> text_projection.0/2. */
    public static String fromTransformers(String name) {
        if (name.startsWith("text_model.")) return "text_branch." + name.substring("text_model.".length());
        if (name.startsWith("text_projection.linear1.")) return "text_projection.0." + name.substring("text_projection.linear1.".length());
        if (name.startsWith("text_projection.linear2.")) return "text_projection.2." + name.substring("text_projection.linear2.".length());
        return name;
    }

    /** Our canonical name -> transformers' ClapTextModelWithProjection name (the inverse of {@link #fromTransformers}). */
    public static String toTransformers(String name) {
        if (name.startsWith("text_branch.")) return "text_model." + name.substring("text_branch.".length());
        if (name.startsWith("text_projection.0.")) return "text_projection.linear1." + name.substring("text_projection.0.".length());
        if (name.startsWith("text_projection.2.")) return "text_projection.linear2." + name.substring("text_projection.2.".length());
        return name;
    }

    /** Whether a canonical name is one the text embedding uses. */
    static boolean isTextBranchTensor(String c) {
        if (c.equals("text_branch.embeddings.position_ids") || c.equals("text_branch.embeddings.token_type_ids")) return false;
        return c.startsWith("text_branch.embeddings.") || c.startsWith("text_branch.encoder.layer.") || c.startsWith("text_branch.pooler.")
                || c.startsWith("text_projection.0.") || c.startsWith("text_projection.2.");
    }

    /** Layers present (highest index + 1; {@link #mapping} checked that every index below it is present). */
    public static int layerCount(Weights w) {
        int n = 0;
        for (String c : w.canonicalNames()) {
            Matcher lm = LAYER.matcher(c);
            if (lm.matches()) n = Math.max(n, Integer.parseInt(lm.group(1)) + 1);
        }
        return n;
    }
}
