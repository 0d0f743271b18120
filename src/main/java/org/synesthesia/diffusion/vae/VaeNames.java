package org.synesthesia.diffusion.vae;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.nn.NameMapping;

/**
 * VAE checkpoint names. Models use diffusers' names; this maps other layouts onto them:
 * <ul>
 *   <li>diffusers, bare ({@code decoder.conv_in.weight}) or inside a pipeline folder ({@code vae/decoder...});</li>
 *   <li>original LDM ({@code first_stage_model.decoder.up.3.block.0.conv1.weight} in a full SD checkpoint, or
 *       without the prefix in a standalone VAE file): {@code down.i.block.j} -> {@code down_blocks.i.resnets.j},
 *       {@code down.i.downsample} -> {@code down_blocks.i.downsamplers.0}, {@code up.k.block.j} ->
 *       {@code up_blocks.(n_levels-1-k).resnets.j} (LDM numbers decoder levels from the highest resolution),
 *       {@code up.k.upsample} -> {@code up_blocks.(n_levels-1-k).upsamplers.0}, {@code mid.block_1/2} ->
 *       {@code mid_block.resnets.0/1}, {@code mid.attn_1} -> {@code mid_block.attentions.0} with {@code norm q k v
 *       proj_out} -> {@code group_norm to_q to_k to_v to_out.0} (q/k/v/proj_out are 1x1 convs [C, C, 1, 1]),
 *       {@code nin_shortcut} -> {@code conv_shortcut}, {@code norm_out} -> {@code conv_norm_out};</li>
 *   <li>diffusers before 0.14 ({@code attentions.0.query/key/value/proj_attn}) -> {@code to_q/to_k/to_v/to_out.0}.</li>
 * </ul>
 */
public final class VaeNames {
    private VaeNames() {}

    /** Prefixes under which VAE tensors are found, tried in order. */
    private static final String[] PREFIXES = {"first_stage_model.", "vae/", "vae.", ""};

    private static final Pattern LDM_UP = Pattern.compile("decoder\\.up\\.(\\d+)\\.(block\\.(\\d+)|upsample)\\.(.*)");
    private static final Pattern LDM_DOWN = Pattern.compile("encoder\\.down\\.(\\d+)\\.(block\\.(\\d+)|downsample)\\.(.*)");
    private static final Pattern LDM_MID = Pattern.compile("(encoder|decoder)\\.mid\\.(block_1|block_2|attn_1)\\.(.*)");

    /** The prefix under which this checkpoint holds a VAE decoder or encoder, or null if it holds none. */
    public static String prefix(Collection<String> names) {
        for (String p : PREFIXES) {
            if (names.contains(p + "decoder.conv_in.weight") || names.contains(p + "encoder.conv_in.weight")) {
                if (names.contains(p + "post_quant_conv.weight") || names.contains(p + "quant_conv.weight")
                        || names.contains(p + "decoder.mid.attn_1.q.weight") || names.contains(p + "decoder.mid_block.resnets.0.conv1.weight")
                        || names.contains(p + "encoder.mid.attn_1.q.weight") || names.contains(p + "encoder.mid_block.resnets.0.conv1.weight"))
                    return p;
            }
        }
        return null;
    }

    /** Whether the names under {@code prefix} are in the original LDM layout. */
    public static boolean isLdm(Collection<String> names, String prefix) {
        for (String n : names)
            if (n.startsWith(prefix + "decoder.mid.") || n.startsWith(prefix + "encoder.mid.") || n.startsWith(prefix + "decoder.up.")
                    || n.startsWith(prefix + "encoder.down.")) return true;
        return false;
    }

    /** Number of resolution levels of the decoder ({@code up.K} / {@code up_blocks.K}), or of the encoder if there is no decoder. */
    static int levels(Collection<String> names, String prefix) {
        Pattern p = Pattern.compile(Pattern.quote(prefix) + "(?:decoder\\.up|decoder\\.up_blocks)\\.(\\d+)\\..*");
        Pattern q = Pattern.compile(Pattern.quote(prefix) + "(?:encoder\\.down|encoder\\.down_blocks)\\.(\\d+)\\..*");
        TreeSet<Integer> up = new TreeSet<>(), down = new TreeSet<>();
        for (String n : names) {
            Matcher m = p.matcher(n);
            if (m.matches()) up.add(Integer.parseInt(m.group(1)));
            m = q.matcher(n);
            if (m.matches()) down.add(Integer.parseInt(m.group(1)));
        }
        return !up.isEmpty() ? up.last() + 1 : down.isEmpty() ? 0 : down.last() + 1;
    }

    /**
     * Diffusers name -> checkpoint name for every VAE tensor of the checkpoint (those under its {@link #prefix});
     * tensors outside the VAE (a full SD checkpoint's UNet and text encoder) are left out.
     */
    public static Map<String, String> toDiffusers(Collection<String> names) {
        String prefix = prefix(names);
        Map<String, String> out = new LinkedHashMap<>();
        if (prefix == null) return out;
        boolean ldm = isLdm(names, prefix);
        int levels = levels(names, prefix);
        for (String n : names) {
            if (!n.startsWith(prefix)) continue;
            String rest = n.substring(prefix.length());
            if (!(rest.startsWith("encoder.") || rest.startsWith("decoder.") || rest.startsWith("quant_conv.") || rest.startsWith("post_quant_conv.")))
                continue;
            out.put(ldm ? fromLdm(rest, levels) : fromOldDiffusers(rest), n);
        }
        return out;
    }

    /**
     * {@link #toDiffusers} as the mapping {@code nn.Weights} binds through; its layout is {@code LDM names} or
     * {@code diffusers names}. Empty when the checkpoint holds no VAE.
     */
    public static NameMapping mapping(Collection<String> names) {
        String prefix = prefix(names);
        return new NameMapping(prefix != null && isLdm(names, prefix) ? "LDM names" : "diffusers names", toDiffusers(names));
    }

    private static final Pattern ATTENTION_LINEAR = Pattern.compile("(encoder|decoder)\\.mid_block\\.attentions\\.\\d+\\.(to_q|to_k|to_v|to_out\\.0)\\.weight");

    /**
     * The diffusers shape of the tensor named {@code canonical} that a checkpoint stores with shape {@code stored}:
     * the attention's q, k, v and output projections are Linear weights [C, C], which LDM stores as 1x1
     * convolutions [C, C, 1, 1] (same values in the same order); every other shape is the same in both layouts.
     */
    public static long[] canonicalShape(String canonical, long[] stored) {
        if (stored.length == 4 && stored[2] == 1 && stored[3] == 1 && ATTENTION_LINEAR.matcher(canonical).matches())
            return new long[] {stored[0], stored[1]};
        return stored;
    }

    /** One LDM name (without prefix) as diffusers'; {@code levels} = number of decoder levels. */
    public static String fromLdm(String n, int levels) {
        Matcher m = LDM_UP.matcher(n);
        if (m.matches()) {
            int block = levels - 1 - Integer.parseInt(m.group(1));
            String sub = m.group(3) != null ? "resnets." + m.group(3) : "upsamplers.0";
            return "decoder.up_blocks." + block + "." + sub + "." + resnetPart(m.group(4));
        }
        m = LDM_DOWN.matcher(n);
        if (m.matches()) {
            String sub = m.group(3) != null ? "resnets." + m.group(3) : "downsamplers.0";
            return "encoder.down_blocks." + m.group(1) + "." + sub + "." + resnetPart(m.group(4));
        }
        m = LDM_MID.matcher(n);
        if (m.matches()) {
            String rest = m.group(3);
            return m.group(1) + ".mid_block." + switch (m.group(2)) {
                case "block_1" -> "resnets.0." + resnetPart(rest);
                case "block_2" -> "resnets.1." + resnetPart(rest);
                default -> "attentions.0." + attentionPart(rest);
            };
        }
        if (n.startsWith("encoder.norm_out.")) return "encoder.conv_norm_out." + n.substring("encoder.norm_out.".length());
        if (n.startsWith("decoder.norm_out.")) return "decoder.conv_norm_out." + n.substring("decoder.norm_out.".length());
        return n;
    }

    private static String resnetPart(String s) {
        return s.startsWith("nin_shortcut.") ? "conv_shortcut." + s.substring("nin_shortcut.".length()) : s;
    }

    private static String attentionPart(String s) {
        int dot = s.indexOf('.');
        String head = dot < 0 ? s : s.substring(0, dot), tail = dot < 0 ? "" : s.substring(dot);
        return switch (head) {
            case "norm" -> "group_norm";
            case "q" -> "to_q";
            case "k" -> "to_k";
            case "v" -> "to_v";
            case "proj_out" -> "to_out.0";
            default -> head;
        } + tail;
    }

    /** Diffusers before 0.14 named the VAE attention {@code query key value proj_attn}. */
    static String fromOldDiffusers(String n) {
        Matcher m = Pattern.compile("(.*\\.attentions\\.\\d+)\\.(query|key|value|proj_attn)\\.(.*)").matcher(n);
        if (!m.matches()) return n;
        String head = switch (m.group(2)) {
            case "query" -> "to_q";
            case "key" -> "to_k";
            case "value" -> "to_v";
            default -> "to_out.0";
        };
        return m.group(1) + "." + head + "." + m.group(3);
    }
}
