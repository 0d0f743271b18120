package org.synesthesia.vocoder;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.synesthesia.nn.NameMapping;

/**
 * Where a checkpoint keeps a HiFi-GAN generator and under which names. Canonical names are jik876/hifi-gan's
 * {@code Generator} state-dict names: {@code conv_pre.*}, {@code ups.N.*}, {@code resblocks.N.convs1.M.*} /
 * {@code convs2.M.*} (type 1) or {@code resblocks.N.convs.M.*} (type 2), {@code conv_post.*}; each convolution's
 * {@code weight}, or its weight-norm pair {@code weight_g}, {@code weight_v}, and {@code bias}. Layouts:
 * <ul>
 *   <li>jik876's generator file ({@code {'generator': state_dict}}), no prefix;</li>
 *   <li>AudioLDM's checkpoint: under {@code first_stage_model.vocoder.};</li>
 *   <li>diffusers' {@code SpeechT5HifiGan} ({@code vocoder/} of an AudioLDM pipeline folder, or the folder itself):
 *       {@code upsampler.N} for {@code ups.N}, plus {@code mean} and {@code scale} (kept under those names).</li>
 * </ul>
 */
final class HifiGanNames {
    private HifiGanNames() {}

    /** The AudioLDM checkpoint's prefix. */
    static final String AUDIOLDM_PREFIX = "first_stage_model.vocoder.";
    private static final String[] PREFIXES = {"", AUDIOLDM_PREFIX, "vocoder/", "vocoder.", "generator."};

    /** The prefix under which {@code names} hold a HiFi-GAN generator, or null. */
    static String prefix(Collection<String> names) {
        for (String p : PREFIXES)
            if (hasConv(names, p + "conv_pre") && hasConv(names, p + "conv_post")
                    && (hasConv(names, p + "ups.0") || hasConv(names, p + "upsampler.0"))) return p;
        return null;
    }

    private static boolean hasConv(Collection<String> names, String module) {
        return names.contains(module + ".weight") || names.contains(module + ".weight_v");
    }

    /** Whether the names under {@code prefix} are diffusers' ({@code upsampler.N}). */
    static boolean isDiffusers(Collection<String> names, String prefix) {
        return hasConv(names, prefix + "upsampler.0");
    }

    /** Canonical name -> stored name of every tensor under the generator's prefix (call when {@link #prefix} is not null). */
    static NameMapping mapping(Collection<String> names) {
        String p = prefix(names);
        if (p == null) throw new IllegalArgumentException("no HiFi-GAN generator in these names");
        boolean diffusers = isDiffusers(names, p);
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : names) {
            if (!n.startsWith(p)) continue;
            String rest = n.substring(p.length());
            m.put(diffusers && rest.startsWith("upsampler.") ? "ups." + rest.substring("upsampler.".length()) : rest, n);
        }
        String layout = (diffusers ? "diffusers SpeechT5HifiGan names" : "hifi-gan generator names") + (p.isEmpty() ? "" : " under " + p);
        return new NameMapping(layout, m, Map.of(),
                c -> p + (diffusers && c.startsWith("ups.") ? "upsampler." + c.substring(4) : c));
    }
}
