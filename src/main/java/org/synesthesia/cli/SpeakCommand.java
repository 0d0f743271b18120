package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.synesthesia.audio.Microphone;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.pipeline.AudioSource;
import org.synesthesia.pipeline.GenerationSettings;
import org.synesthesia.pipeline.ModelFiles;
import org.synesthesia.pipeline.PipelineListener;
import org.synesthesia.pipeline.PngFiles;
import org.synesthesia.pipeline.PromptCleaner;
import org.synesthesia.pipeline.SpeechToImage;
import org.synesthesia.pipeline.Stage;
import org.synesthesia.pipeline.TranscriptionSettings;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia speak [--record S | --audio FILE] --whisper MODEL --sd MODEL --out image.png}: speech to image.
 * Parses and checks the options into one {@link SpeechToImage.Request} and runs it (record or read the audio,
 * transcribe, clean into a prompt with {@link PromptCleaner}, generate, write the PNG and its {@code .txt} sidecar);
 * stage times, steps and notes go to stderr as "speak: ..." lines.
 */
public final class SpeakCommand implements Command {
    @Override
    public String name() {
        return "speak";
    }

    @Override
    public String summary() {
        return "speech to image: record or read audio, transcribe with Whisper, generate with Stable Diffusion";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia speak [--record S | --audio FILE [--from S --to S]] --whisper MODEL --sd MODEL
                         [--out image.png] [options]

                Turns speech into an image: S seconds from the microphone (default: record 10 s) or FILE's window,
                transcribed with Whisper, non-speech annotations removed, then Stable Diffusion on the text.
                Writes OUT (PNG with parameters, transcript and prompt text chunks) and OUT with .txt (the same as text).
                  --whisper MODEL         whisper checkpoint (as transcribe --model)
                  --tokenizer DIR         whisper's tiktoken folder (as transcribe --tokenizer)
                  --language xx|auto      spoken language (default auto)
                  --beam-size N           beams at temperature 0 (default 5; 0: greedy)
                  --no-fallback           no retries at higher temperatures
                  --keep-audio PATH       also write the (recorded or read) audio as a 16 kHz WAV
                  --sd MODEL              Stable Diffusion folder, single-file checkpoint or converted .gguf (as generate --model)
                  --sd-tokenizer PATH     CLIP tokenizer (as generate --tokenizer)
                  --negative, --steps, --scheduler, --guidance, --eta, --seed, --width, --height, --latents,
                  --prediction-type       as for generate""";
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("no-fallback");
    }

    @Override
    public int run(Args args) {
        Double recordSeconds = args.has("record") ? args.getDouble("record", Microphone.DEFAULT_SECONDS) : null;
        Path audioFile = args.path("audio");
        Double from = args.has("from") ? args.getDouble("from", 0) : null;
        Double to = args.has("to") ? args.getDouble("to", 0) : null;
        Path whisper = Path.of(args.require("whisper"));
        Path tokenizer = args.path("tokenizer");
        TranscriptionArgs transcription = TranscriptionArgs.readShort(args);
        Path keepAudio = args.path("keep-audio");
        Path sd = Path.of(args.require("sd"));
        Path sdTokenizer = args.path("sd-tokenizer");
        GenerationArgs generation = GenerationArgs.read(args, false);
        Path out = Path.of(args.get("out", "image.png"));
        args.finish();
        if (!args.positionals().isEmpty()) throw new SynesthesiaException("speak: unexpected argument '" + args.positionals().get(0) + "' (see synesthesia speak --help)");
        if (recordSeconds != null && audioFile != null) throw new SynesthesiaException("speak: give --record S or --audio FILE, not both");
        if (audioFile == null && (from != null || to != null)) throw new SynesthesiaException("speak: --from/--to need --audio FILE");
        if (recordSeconds != null && (!(recordSeconds > 0) || recordSeconds > 3600))
            throw new SynesthesiaException("speak: --record must be between 0 and 3600 seconds, not " + args.get("record", ""));
        TranscriptionSettings transcriptionSettings = transcription.settings("speak");
        GenerationSettings generationSettings = generation.settings("speak");
        if (!PngFiles.isPng(out)) throw new SynesthesiaException("speak: --out must end in .png, not " + out);
        if (!Files.exists(whisper)) throw SynesthesiaException.inFile(whisper, "no such whisper model file or folder" + GET_MODELS_HINT);
        if (!Files.exists(sd)) throw SynesthesiaException.inFile(sd, "no such Stable Diffusion model file or folder" + GET_MODELS_HINT);
        AudioSource source = audioFile != null ? new AudioSource.FileWindow(audioFile, TimeWindow.of(from, to))
                : new AudioSource.Recording(recordSeconds == null ? Microphone.DEFAULT_SECONDS : recordSeconds, RecordCommand.lines);

        new SpeechToImage("speak", new SpeakListener(generationSettings.steps())).run(new SpeechToImage.Request(source,
                new ModelFiles(whisper, tokenizer), transcriptionSettings, new ModelFiles(sd, sdTokenizer), generationSettings, out, keepAudio));
        return 0;
    }

    /** Where a first run gets models: appended to "no such model" errors. */
    static final String GET_MODELS_HINT = " (tools/get-models downloads whisper-base.en and SD 1.5 into models/ and converts them;"
            + " offline, README's 'No internet or no trained weights' runs the tiny test models in ../shared)";

    /** The prompt of {@code transcript}; a one-line error when nothing speakable is left. */
    static String promptOf(String transcript) {
        return new SpeechToImage("speak", PipelineListener.NONE).promptOf(transcript);
    }

    /** Every stage's time, the recording's and the steps' progress lines, each step's time, and "speak: " notes. */
    private static final class SpeakListener extends StderrListener {
        SpeakListener(int steps) {
            super("speak", steps);
        }

        @Override
        public void step(int step, int total, double seconds, Tensor preview) {
            super.step(step, total, seconds, preview);
            Progress.info(String.format(Locale.ROOT, "speak: step %d/%d %s%.3f s", step, total,
                    step == 1 ? "(with the text encoder) " : "", seconds));
        }

        @Override
        public void stageFinished(Stage stage, double seconds) {
            super.stageFinished(stage, seconds);
            if (stage == Stage.DENOISE)
                Progress.info(String.format(Locale.ROOT, "speak: denoising total %.3f s (text encoder + %d steps)", seconds, steps));
            else
                Progress.info(String.format(Locale.ROOT, "speak: %s %.3f s", stage.label(), seconds));
        }
    }
}
