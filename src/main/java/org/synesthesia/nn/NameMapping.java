package org.synesthesia.nn;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * How one model family's tensors are named in one checkpoint: canonical name (the family's reference module
 * names, e.g. openai Whisper's {@code encoder.blocks.0.attn.query.weight}, diffusers'
 * {@code down_blocks.0.resnets.0.conv1.weight}) -> the name the checkpoint stores it under. Every family's
 * {@code *Names} class builds one of these from a checkpoint's names; {@link Weights} looks tensors up through it
 * and {@code convert} writes the canonical names.
 *
 * @param layout            the checkpoint's naming, for messages (e.g. {@code LDM names}, {@code Hugging Face names})
 * @param canonicalToStored canonical name -> stored name
 * @param rowBlocks         canonical name -> one block of rows of a stacked stored tensor (e.g. OpenCLIP's
 *                          {@code in_proj_weight} [3d, d] holds q, k and v); names not in {@code canonicalToStored}
 * @param absentName        for a canonical name the checkpoint lacks, the name it would be stored under (for
 *                          messages), or null when the layout cannot tell
 */
public record NameMapping(String layout, Map<String, String> canonicalToStored, Map<String, RowBlock> rowBlocks,
                          UnaryOperator<String> absentName) {
    /**
     * Rows {@code [index * n / count, (index + 1) * n / count)} of the stored tensor [n, ...], presented as a view
     * named {@code stored[label]}.
     */
    public record RowBlock(String stored, int index, int count, String label) {
        public RowBlock {
            if (count < 1 || index < 0 || index >= count) throw new IllegalArgumentException("row block " + index + " of " + count);
        }
    }

    public NameMapping {
        canonicalToStored = Map.copyOf(canonicalToStored);
        rowBlocks = Map.copyOf(rowBlocks);
        if (absentName == null) absentName = c -> null;
    }

    /** Whole tensors only, no name for absent ones. */
    /** Names already canonical: those under {@code prefix}, each mapped from itself without the prefix. */
    public static NameMapping prefixed(java.util.Collection<String> storedNames, String prefix) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String n : storedNames) if (n.startsWith(prefix)) m.put(n.substring(prefix.length()), n);
        return new NameMapping(prefix.isEmpty() ? "canonical names" : "canonical names under " + prefix, m);
    }

    public NameMapping(String layout, Map<String, String> canonicalToStored) {
        this(layout, canonicalToStored, Map.of(), null);
    }

    /** Whether the checkpoint stores the tensors under their canonical names already. */
    public boolean isIdentity() {
        if (!rowBlocks.isEmpty()) return false;
        for (var e : canonicalToStored.entrySet()) if (!e.getKey().equals(e.getValue())) return false;
        return true;
    }
}
