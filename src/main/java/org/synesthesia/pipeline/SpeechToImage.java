package org.synesthesia.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.WavWriter;
import org.synesthesia.image.PngWriter;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.MemoryStats;
import org.synesthesia.util.SynesthesiaException;

/**
 * Speech to image: the audio ({@link AudioSource}), its transcript ({@link Transcription}; Whisper is closed before
 * Stable Diffusion loads), the prompt ({@link PromptCleaner}: the transcript without non-speech annotations), one
 * image of it ({@link TextToImage}), and, when asked, the outputs: the PNG with {@code parameters},
 * {@code transcript} and {@code prompt} text chunks, the same as text in a {@code .txt} sidecar (both only when
 * every stage succeeded), and the audio heard as a 16 kHz WAV. Ends with a note of the peak memory.
 */
public final class SpeechToImage extends Job {
    /**
     * One job.
     *
     * @param audio         where the speech comes from
     * @param whisper       the Whisper model and its tokenizer
     * @param transcription how Whisper transcribes
     * @param sd            the Stable Diffusion model and its CLIP tokenizer
     * @param generation    how the image is made (one image: a batch, when given, must be 1)
     * @param out           the PNG to write (its {@code .txt} sidecar beside it); null: write nothing
     * @param keepAudio     where to write the audio heard as a 16 kHz WAV; null: nowhere
     */
    public record Request(AudioSource audio, ModelFiles whisper, TranscriptionSettings transcription, ModelFiles sd,
                          GenerationSettings generation, Path out, Path keepAudio) {
        public Request {
            Objects.requireNonNull(audio, "audio");
            Objects.requireNonNull(whisper, "whisper");
            Objects.requireNonNull(sd, "sd");
            if (transcription == null) transcription = TranscriptionSettings.DEFAULTS;
            if (generation == null) generation = GenerationSettings.defaults(GenerationSettings.randomSeed());
            if (generation.batch() != null && generation.batch() != 1)
                throw new IllegalArgumentException("speech to image makes one image, not a batch of " + generation.batch());
            if (out != null && !PngFiles.isPng(out)) throw new IllegalArgumentException("the output must be a .png file, not " + out);
        }
    }

    /**
     * What one job gave: the audio heard, its transcript (one line), the prompt, the image, every stage's time, and
     * the process's peak heap and peak resident set (VmHWM; -1 off Linux) in bytes when it ended.
     */
    public record Result(Audio audio, String transcript, String prompt, TextToImage.Result image, List<StageTime> times,
                         long peakHeap, long peakResident) {}

    /** {@code caller}: the name one-line errors are about (a command's, e.g. {@code speak}). */
    public SpeechToImage(String caller, PipelineListener listener) {
        super(caller, listener);
    }

    /** Runs {@code job}: the models and latents are checked before any audio is recorded or read. */
    public Result run(Request job) {
        if (!Files.exists(job.whisper().model())) throw SynesthesiaException.inFile(job.whisper().model(), "no such whisper model file or folder");
        if (!Files.exists(job.sd().model())) throw SynesthesiaException.inFile(job.sd().model(), "no such Stable Diffusion model file or folder");
        GenerationSettings generation = job.generation().batch() == null ? withBatchOne(job.generation()) : job.generation();
        Tensor initial = generation.latents() == null ? null : TextToImage.readLatents(generation.latents());

        StageClock clock = new StageClock(listener);
        AudioSource source = job.audio();
        Audio audio = clock.time(source.stage(), () -> source.read16k(listener));
        Transcription.Result heard = new Transcription(caller, listener).transcribe(audio, source.offset(), job.whisper(),
                job.transcription(), clock);
        String transcript = heard.text();
        listener.note("transcript: " + transcript);
        String prompt = promptOf(transcript);
        listener.note("prompt: " + prompt);
        TextToImage.Result image = new TextToImage(caller, listener).generate(job.sd(), prompt, generation, initial, clock);
        if (job.out() != null) write(job.out(), job.keepAudio(), audio, transcript, prompt, image);
        long heap = MemoryStats.peakHeap(), resident = MemoryStats.residentPeak();
        String memory = String.format(Locale.ROOT, "peak memory: heap %.1f MiB", heap / 1048576.0);
        listener.note(resident < 0 ? memory : memory + ", resident (VmHWM) " + MemoryStats.mib(resident));
        return new Result(audio, transcript, prompt, image, clock.times(), heap, resident);
    }

    /** The prompt of {@code transcript}; a one-line error when nothing speakable is left. */
    public String promptOf(String transcript) {
        String prompt = PromptCleaner.clean(transcript);
        if (prompt.isEmpty()) throw new SynesthesiaException(caller + ": nothing speakable in the transcript \"" + transcript.strip() + "\"");
        return prompt;
    }

    /** The kept audio, then the PNG, then its sidecar; a sidecar that cannot be written takes the PNG with it. */
    private void write(Path out, Path keepAudio, Audio audio, String transcript, String prompt, TextToImage.Result image) {
        String params = image.parameters();
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", params);
        text.put("transcript", transcript);
        text.put("prompt", prompt);
        text.put("Software", "synesthesia");
        Path txt = PngFiles.sibling(out, ".txt");
        String sidecar = "transcript: " + transcript + "\nprompt: " + prompt + "\nparameters: " + params.replace("\n", "\n  ") + "\n";
        if (keepAudio != null) WavWriter.write(keepAudio, audio, WavWriter.Encoding.PCM16);
        PngWriter.write(out, image.image(0), PngWriter.Range.ZERO_TO_ONE, text);
        try {
            AtomicFiles.write(txt, o -> o.write(sidecar.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // the sidecar's error is the one to report
            }
            throw SynesthesiaException.inFile(txt, "cannot write: " + e.getMessage());
        }
        listener.note("wrote " + out + " and " + txt);
    }

    private static GenerationSettings withBatchOne(GenerationSettings g) {
        return new GenerationSettings(g.negativePrompt(), g.steps(), g.scheduler(), g.guidance(), g.seed(), g.width(), g.height(),
                1, g.latents(), g.prediction(), g.previewEvery(), g.taesd(), g.eta(), g.initImage(), g.strength());
    }
}
