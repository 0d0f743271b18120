package org.synesthesia.nn;

import java.util.Map;

/**
 * How one model family's tensors are named in one checkpoint: canonical name (the family's reference module
 * names, e.g. openai Whisper's {@code encoder.blocks.0.attn.query.weight}, diffusers'
 * {@code down_blocks.0.resnets.0.conv1.weight}) -> the name the checkpoint stores it under. Every family's
 * {@code *Names} class builds one of these from a checkpoint's names; {@link Weights} looks tensors up through it
 * and {@code convert} writes the canonical names.
 *
 * @param layout            the checkpoint's naming, for messages (e.g. {@code LDM names}, {@code Hugging Face names})
 * @param canonicalToStored canonical name -> stored name
 */
public record NameMapping(String layout, Map<String, String> canonicalToStored) {
    public NameMapping {
        canonicalToStored = Map.copyOf(canonicalToStored);
    }

    /** Whether the checkpoint stores the tensors under their canonical names already. */
    public boolean isIdentity() {
        for (var e : canonicalToStored.entrySet()) if (!e.getKey().equals(e.getValue())) return false;
        return true;
    }
}
