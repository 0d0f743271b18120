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
 * Checkpoint tensor names of a CLIP vision transformer and its projection, beside {@link ClipNames} (the text
 * side). Canonical names are transformers' {@code CLIPVisionModelWithProjection} state-dict names:
 * {@code vision_model.embeddings.{class_embedding, patch_embedding.weight, position_embedding.weight}},
 * {@code vision_model.pre_layrnorm.*} (sic), {@code vision_model.encoder.layers.N.*} (as the text encoder's),
 * {@code vision_model.post_layernorm.*} and {@code visual_projection.weight}.
 *
 * <p>Read under any prefix: a {@code CLIPVisionModelWithProjection} (an IP-Adapter / unCLIP {@code image_encoder/}),
 * the vision half of a full {@code CLIPModel} (whose {@code text_model.*}, {@code text_projection} and
 * {@code logit_scale} are not part of it), a diffusers pipeline folder's {@code image_encoder/}.
 * {@code position_ids} is a buffer (0..P-1) and is not used.
 */
public final class ClipVisionNames {
    /** What {@link Weights} calls the model in messages. */
    static final String WHAT = "CLIP vision";
    static final String PATCH = "vision_model.embeddings.patch_embedding.weight";
    static final String PROJECTION = "visual_projection.weight";
    private static final Pattern LAYER = Pattern.compile("vision_model\\.encoder\\.layers\\.(\\d+)\\..+");
    private static final List<String> PARTS = List.of("vision_model.embeddings.", "vision_model.pre_layrnorm.", "vision_model.encoder.layers.",
            "vision_model.post_layernorm.");

    private ClipVisionNames() {}

    /** The prefixes of every CLIP vision transformer in these names (those of {@code PREFIXvision_model.embeddings.patch_embedding.weight}). */
    public static List<String> find(Collection<String> names) {
        Set<String> all = names instanceof Set<String> s ? s : new LinkedHashSet<>(names);
        List<String> out = new ArrayList<>();
        for (String n : all) {
            if (!n.endsWith(PATCH)) continue;
            String p = n.substring(0, n.length() - PATCH.length());
            if (all.contains(p + "vision_model.embeddings.class_embedding")) out.add(p);
        }
        return out;
    }

    /** Whether these names hold exactly one CLIP vision transformer. */
    public static boolean isClipVision(Collection<String> names) {
        return find(names).size() == 1;
    }

    /** The tensors of the one CLIP vision transformer of {@code source} by canonical name (see {@link #mapping(WeightSource)}). */
    public static Weights of(WeightSource source) {
        return Weights.of(WHAT, source, mapping(source));
    }

    /**
     * The mapping of the one CLIP vision transformer of {@code source}; a CLIP text model, none or several is an
     * error naming the file.
     */
    public static NameMapping mapping(WeightSource source) {
        List<String> f = find(source.names());
        if (f.isEmpty()) {
            if (!ClipNames.find(source.names()).isEmpty())
                throw new SynesthesiaException(source.description() + " is a CLIP text model, not a vision model");
            throw new SynesthesiaException(source.description() + ": no CLIP vision transformer (looked for '" + PATCH + "')");
        }
        if (f.size() > 1) {
            List<String> ps = new ArrayList<>();
            for (String x : f) ps.add("'" + x + "'");
            throw new SynesthesiaException(source.description() + ": holds " + f.size() + " CLIP vision transformers (prefixes " + String.join(", ", ps) + "); choose one");
        }
        return mapping(source, f.get(0));
    }

    /**
     * Canonical name -> stored name of the CLIP vision transformer under {@code prefix} (names outside the vision
     * tower and its projection are left out); a gap in the layer indices is an error.
     */
    public static NameMapping mapping(WeightSource source, String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        TreeSet<Integer> idx = new TreeSet<>();
        for (String stored : source.names()) {
            if (!stored.startsWith(prefix)) continue;
            String c = stored.substring(prefix.length());
            if (c.equals("vision_model.embeddings.position_ids")) continue;
            if (!c.equals(PROJECTION) && PARTS.stream().noneMatch(c::startsWith)) continue;
            Matcher lm = LAYER.matcher(c);
            if (lm.matches()) idx.add(Integer.parseInt(lm.group(1)));
            m.put(c, stored);
        }
        int layers = idx.isEmpty() ? 0 : idx.last() + 1;
        for (int i = 0; i < layers; i++)
            if (!idx.contains(i)) throw new SynesthesiaException(source.description() + ": CLIP vision layers 0.." + (layers - 1) + " but layer " + i + " is missing");
        return new NameMapping("Hugging Face names under '" + prefix + "'", m, Map.of(), c -> prefix + c);
    }

    /** The prefix of the stored names, e.g. {@code image_encoder/}. */
    public static String prefix(Weights w) {
        String s = w.storedNames().get(PATCH);
        return s == null ? "" : s.substring(0, s.length() - PATCH.length());
    }

    /** Layers present (highest index + 1; {@link #mapping} checked that all indices below it are present). */
    public static int layerCount(Weights w) {
        int n = 0;
        for (String c : w.canonicalNames()) {
            Matcher lm = LAYER.matcher(c);
            if (lm.matches()) n = Math.max(n, Integer.parseInt(lm.group(1)) + 1);
        }
        return n;
    }
}
