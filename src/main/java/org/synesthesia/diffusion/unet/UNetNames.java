package org.synesthesia.diffusion.unet;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.util.SynesthesiaException;

/**
 * Stable Diffusion and AudioLDM UNet checkpoint names: the original LDM/CompVis layout
 * ({@code model.diffusion_model.input_blocks.N.M...}) translated to diffusers' {@code UNet2DConditionModel} names,
 * the names models use. With L = layers_per_block:
 * <ul>
 *   <li>{@code time_embed.0/.2} -> {@code time_embedding.linear_1/linear_2}; {@code input_blocks.0.0} -> {@code conv_in};
 *       {@code out.0/.2} -> {@code conv_norm_out/conv_out}; AudioLDM's {@code film_emb} -> {@code class_embedding};</li>
 *   <li>{@code input_blocks.K} (K >= 1, i = (K-1)/(L+1), j = (K-1)%(L+1)): j < L: {@code .0} -> {@code down_blocks.i.resnets.j},
 *       {@code .1} -> {@code down_blocks.i.attentions.j}; j = L: {@code .0.op} -> {@code down_blocks.i.downsamplers.0.conv};</li>
 *   <li>{@code middle_block.0/.1/.2} -> {@code mid_block.resnets.0 / attentions.0 / resnets.1};</li>
 *   <li>{@code output_blocks.K} (i = K/(L+1), j = K%(L+1)): {@code .0} -> {@code up_blocks.i.resnets.j}, {@code .1} ->
 *       {@code up_blocks.i.attentions.j}, unless it is the upsampler ({@code .1.conv} without attention,
 *       {@code .2.conv} with) -> {@code up_blocks.i.upsamplers.0.conv};</li>
 *   <li>inside a resnet: {@code in_layers.0/.2} -> {@code norm1/conv1}, {@code emb_layers.1} -> {@code time_emb_proj},
 *       {@code out_layers.0/.3} -> {@code norm2/conv2}, {@code skip_connection} -> {@code conv_shortcut}. Attention
 *       (SpatialTransformer) names are the same in both layouts.</li>
 * </ul>
 */
public final class UNetNames {
    private UNetNames() {}

    public static final String LDM_PREFIX = "model.diffusion_model.";

    private static final Pattern INPUT = Pattern.compile("input_blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern MIDDLE = Pattern.compile("middle_block\\.(\\d+)\\.(.+)");
    private static final Pattern OUTPUT = Pattern.compile("output_blocks\\.(\\d+)\\.(\\d+)\\.(.+)");

    /**
     * Diffusers name -> stored name for the UNet in {@code source}, the layout chosen by the names present: diffusers
     * names (bare or under {@code unet/}) or LDM names with {@code layersPerBlock} resnets per down level (< 0:
     * inferred from the names). Fails with one line naming the file when it holds no UNet.
     */
    public static NameMapping mapping(WeightSource source, int layersPerBlock) {
        var names = source.names();
        if (isDiffusers(names, "")) return diffusers(names, "");
        if (isDiffusers(names, "unet/")) return diffusers(names, "unet/");
        if (isLdm(names)) {
            int l = layersPerBlock >= 0 ? layersPerBlock : ldmLayersPerBlock(names);
            if (l < 1) throw new SynesthesiaException(source.description() + ": cannot tell layers_per_block from the LDM UNet names");
            return new NameMapping("LDM names", ldmToDiffusers(names, l));
        }
        throw new SynesthesiaException(source.description() + ": no UNet tensors (looked for diffusers conv_in.weight or LDM input_blocks.0.0.weight)");
    }

    /** The names under {@code prefix}, each mapped from itself without the prefix. */
    private static NameMapping diffusers(Collection<String> names, String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : names) if (n.startsWith(prefix)) m.put(n.substring(prefix.length()), n);
        return new NameMapping(prefix.isEmpty() ? "diffusers names" : "diffusers names under " + prefix, m);
    }

    /** Whether these stored names hold an LDM UNet (with or without the {@code model.diffusion_model.} prefix). */
    public static boolean isLdm(Collection<String> names) {
        for (String n : names) {
            String s = n.startsWith(LDM_PREFIX) ? n.substring(LDM_PREFIX.length()) : n;
            if (s.startsWith("input_blocks.0.0.")) return true;
        }
        return false;
    }

    /** Whether these stored names hold a diffusers UNet at {@code prefix} (e.g. "" or "unet/"). */
    public static boolean isDiffusers(Collection<String> names, String prefix) {
        return names.contains(prefix + "conv_in.weight") && names.contains(prefix + "time_embedding.linear_1.weight");
    }

    /** The LDM prefix in use: {@code model.diffusion_model.} (a whole SD checkpoint) or "" (a bare UNet). */
    public static String ldmPrefix(Collection<String> names) {
        for (String n : names) if (n.startsWith(LDM_PREFIX + "input_blocks.")) return LDM_PREFIX;
        return "";
    }

    /** Diffusers name -> stored name for every UNet tensor of an LDM checkpoint; other tensors are left out. */
    public static Map<String, String> ldmToDiffusers(Collection<String> names, int layersPerBlock) {
        String prefix = ldmPrefix(names);
        Map<String, String> out = new LinkedHashMap<>();
        for (String stored : names) {
            if (!stored.startsWith(prefix)) continue;
            String d = toDiffusers(stored.substring(prefix.length()), layersPerBlock);
            if (d != null) out.put(d, stored);
        }
        return out;
    }

    /** The diffusers name of an LDM UNet tensor name (without prefix), or null if it is not a UNet tensor. */
    public static String toDiffusers(String ldm, int layersPerBlock) {
        int per = layersPerBlock + 1;
        if (ldm.startsWith("time_embed.0.")) return "time_embedding.linear_1." + rest(ldm, "time_embed.0.");
        if (ldm.startsWith("time_embed.2.")) return "time_embedding.linear_2." + rest(ldm, "time_embed.2.");
        if (ldm.startsWith("film_emb.")) return "class_embedding." + rest(ldm, "film_emb.");
        if (ldm.startsWith("out.0.")) return "conv_norm_out." + rest(ldm, "out.0.");
        if (ldm.startsWith("out.2.")) return "conv_out." + rest(ldm, "out.2.");
        Matcher m = INPUT.matcher(ldm);
        if (m.matches()) {
            int k = Integer.parseInt(m.group(1)), sub = Integer.parseInt(m.group(2));
            String tail = m.group(3);
            if (k == 0) return sub == 0 ? "conv_in." + tail : null;
            int i = (k - 1) / per, j = (k - 1) % per;
            if (j == layersPerBlock) return sub == 0 && tail.startsWith("op.") ? "down_blocks." + i + ".downsamplers.0.conv." + rest(tail, "op.") : null;
            return sub == 0 ? "down_blocks." + i + ".resnets." + j + "." + resnet(tail)
                    : sub == 1 ? "down_blocks." + i + ".attentions." + j + "." + tail : null;
        }
        m = MIDDLE.matcher(ldm);
        if (m.matches()) {
            String tail = m.group(2);
            return switch (m.group(1)) {
                case "0" -> "mid_block.resnets.0." + resnet(tail);
                case "1" -> "mid_block.attentions.0." + tail;
                case "2" -> "mid_block.resnets.1." + resnet(tail);
                default -> null;
            };
        }
        m = OUTPUT.matcher(ldm);
        if (m.matches()) {
            int k = Integer.parseInt(m.group(1)), sub = Integer.parseInt(m.group(2));
            String tail = m.group(3);
            int i = k / per, j = k % per;
            if (sub == 0) return "up_blocks." + i + ".resnets." + j + "." + resnet(tail);
            if (tail.startsWith("conv.")) return "up_blocks." + i + ".upsamplers.0.conv." + rest(tail, "conv.");
            return sub == 1 ? "up_blocks." + i + ".attentions." + j + "." + tail : null;
        }
        return null;
    }

    private static String resnet(String tail) {
        String[][] map = {{"in_layers.0.", "norm1."}, {"in_layers.2.", "conv1."}, {"emb_layers.1.", "time_emb_proj."},
                {"out_layers.0.", "norm2."}, {"out_layers.3.", "conv2."}, {"skip_connection.", "conv_shortcut."}};
        for (String[] p : map) if (tail.startsWith(p[0])) return p[1] + rest(tail, p[0]);
        return tail;
    }

    private static String rest(String s, String prefix) {
        return s.substring(prefix.length());
    }

    /**
     * Infers layers_per_block from LDM names: the first downsampler ({@code input_blocks.K.0.op}) sits at K = L+1;
     * with a single level (no downsampler), input blocks 1..L are resnets. Returns -1 if there are no input blocks.
     */
    public static int ldmLayersPerBlock(Collection<String> names) {
        String prefix = ldmPrefix(names);
        int firstOp = Integer.MAX_VALUE, maxIn = -1;
        for (String n : names) {
            if (!n.startsWith(prefix)) continue;
            Matcher m = INPUT.matcher(n.substring(prefix.length()));
            if (!m.matches()) continue;
            int k = Integer.parseInt(m.group(1));
            maxIn = Math.max(maxIn, k);
            if (m.group(2).equals("0") && m.group(3).startsWith("op.")) firstOp = Math.min(firstOp, k);
        }
        if (maxIn < 1) return -1;
        return firstOp != Integer.MAX_VALUE ? firstOp - 1 : maxIn;
    }
}
