package org.synesthesia.pipeline;

import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.util.SynesthesiaException;

/**
 * How {@link TextToSound} generates.
 *
 * @param negativePrompt the prompt whose CLAP embedding is the unconditional input ("" = AudioLDM's own)
 * @param seconds        the length asked for (rounded up to a multiple of 2.5 s)
 * @param steps          DDIM steps (AudioLDM's text_to_audio: 200)
 * @param guidance       classifier-free guidance scale (2.5)
 * @param eta            DDIM eta (1.0: generate_sample's default, stochastic)
 * @param seed           seed of torch.manual_seed for x_T (the injected noise uses seed + 1)
 */
public record SoundSettings(String negativePrompt, double seconds, int steps, double guidance, double eta, long seed) {
    public SoundSettings {
        if (negativePrompt == null) negativePrompt = "";
        if (steps < 1 || steps > 1000) throw new SynesthesiaException("steps must be 1..1000, not " + steps);
        if (!(eta >= 0) || Double.isInfinite(eta)) throw new SynesthesiaException("eta must be >= 0, not " + eta);
        if (Double.isNaN(guidance) || Double.isInfinite(guidance)) throw new SynesthesiaException("guidance must be a number, not " + guidance);
    }

    /** AudioLDM's defaults: 10 s, 200 steps, guidance 2.5, eta 1, no negative prompt. */
    public static SoundSettings defaults(long seed) {
        return new SoundSettings("", 10, AudioLdm.DEFAULT_STEPS, AudioLdm.DEFAULT_GUIDANCE, AudioLdm.DEFAULT_ETA, seed);
    }
}
