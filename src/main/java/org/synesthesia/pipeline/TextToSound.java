package org.synesthesia.pipeline;

import java.nio.file.Path;
import java.util.List;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.AudioLdmDuration;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.tensor.Finite;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Text to sound with AudioLDM ({@link SoundJob}): the conditioning is CLAP's embedding of the prompt, computed with
 * the unconditional one in {@link Stage#TEXT_ENCODE}.
 */
public final class TextToSound extends SoundJob {
    /** {@code caller}: the name one-line errors are about (a command's, e.g. {@code audio}). */
    public TextToSound(String caller, PipelineListener listener) {
        super(caller, listener);
    }

    /** The sound of each of {@code prompts} (same settings and seed), from the checkpoint {@code model} (CLAP from {@code clap} if not null). */
    public List<Result> generate(Path model, Path clap, RobertaTokenizer tokenizer, List<String> prompts, SoundSettings s) {
        if (prompts.isEmpty()) throw new SynesthesiaException(caller + ": no prompt");
        AudioLdmDuration duration = duration(s);
        StageClock clock = new StageClock(listener);
        try (AudioLdm m = load(model, clap, clock)) {
            listener.note(m.describe());
            List<Result> out = new java.util.ArrayList<>();
            for (String prompt : prompts) {
                clock.start(Stage.TEXT_ENCODE);
                Tensor both = m.clap().embed(tokenizer, List.of(prompt, s.negativePrompt())); // [2, 512]
                Finite.check(both, "clap text embedding");
                Tensor cond = both.slice(0, 0, 1).contiguous(), uncond = both.slice(0, 1, 2).contiguous();
                clock.finish(Stage.TEXT_ENCODE);
                listener.note("prompt: " + prompt + (s.negativePrompt().isEmpty() ? "" : "; negative: " + s.negativePrompt())
                        + " (CLAP " + cond.dim(1) + "-d)");
                out.add(generate(m, model, cond, uncond, prompt, s, duration, clock));
            }
            return out;
        }
    }
}
