package org.synesthesia.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.LogMel;
import org.synesthesia.audio.MelSpectrogram;
import org.synesthesia.image.MelImage;
import org.synesthesia.audio.Resampler;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia mel FILE [--from S] [--to S] [--n-mels 80|128] [--preset whisper|hifigan|audioldm] --out
 * mel.safetensors|mel.png}: by default the log-Mel spectrogram whisper's encoder sees for the first 30 s window of
 * the (windowed, 16 kHz) audio, as the tensor {@code mel [1, n_mels, 3000]} or as a picture; with {@code --preset
 * hifigan|audioldm} that vocoder's log-Mel of the whole (windowed, resampled) audio, {@code [1, n_mels, frames]}.
 */
public final class MelCommand implements Command {
    @Override
    public String name() {
        return "mel";
    }

    @Override
    public String summary() {
        return "whisper's log-Mel spectrogram of an audio file (safetensors or PNG)";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia mel FILE [--from S] [--to S] [--n-mels 80|128] [--preset P] --out OUT.safetensors|OUT.png

                Computes the log-Mel spectrogram that whisper's encoder sees for the first 30 s window of FILE
                (WAV or FLAC; mixed to mono and resampled to 16 kHz), exactly as whisper.transcribe pads it.
                  --from S, --to S   use only [S, S) seconds of the file (default: all of it)
                  --n-mels N         80 (whisper tiny...large-v2, default) or 128 (large-v3)
                  --preset P         whisper (default); hifigan: HiFi-GAN's LJSpeech mel (22,050 Hz, 80 bins,
                                     hop 256, ln); audioldm: AudioLDM's mel (16 kHz, 64 bins, hop 160, ln).
                                     Those two cover the whole (windowed) audio, resampled to their rate.
                  --out PATH         .safetensors: tensor 'mel' shaped [1, N, 3000] (whisper) or [1, N, frames];
                                     .png: a picture of it (time left to right, low frequencies at the bottom)""";
    }

    @Override
    public int run(Args args) {
        Path file = Path.of(args.positional(0, "audio file"));
        Double from = args.has("from") ? args.getDouble("from", 0) : null;
        Double to = args.has("to") ? args.getDouble("to", 0) : null;
        boolean nMelsGiven = args.has("n-mels");
        int nMels = args.getInt("n-mels", 80);
        String preset = args.get("preset", "whisper");
        Path out = Path.of(args.require("out"));
        args.finish();
        if (args.positionals().size() > 1) throw new SynesthesiaException("mel: one audio file expected, got " + args.positionals().size() + " (see synesthesia mel --help)");
        if (!preset.equals("whisper") && !preset.equals("hifigan") && !preset.equals("audioldm"))
            throw new SynesthesiaException("mel: --preset must be whisper, hifigan or audioldm, not " + preset);
        if (!preset.equals("whisper") && nMelsGiven) throw new SynesthesiaException("mel: --n-mels applies to the whisper preset only (" + preset + " has a fixed number of bins)");
        if (nMels != 80 && nMels != 128) throw new SynesthesiaException("mel: --n-mels must be 80 or 128, not " + nMels);
        String ext = out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean png = ext.endsWith(".png");
        if (!png && !ext.endsWith(".safetensors")) throw new SynesthesiaException("mel: --out must end in .safetensors or .png, not " + out);
        TimeWindow window = TimeWindow.of(from, to);

        Audio audio = AudioFiles.read(file);
        Audio part = window.apply(audio, file);
        Progress.info(String.format(Locale.ROOT, "%s: %.2f s at %d Hz%s", file, audio.seconds(), audio.sampleRate(),
                window.isAll() ? "" : String.format(Locale.ROOT, ", using %.2f s from %s", part.seconds(), window)));
        if (!preset.equals("whisper")) return vocoderMel(MelSpectrogram.preset(preset), preset, file, window, part, out, png);
        Audio clip = Resampler.to16k(part);
        Tensor mel = LogMel.firstWindow(clip.samples(), nMels);
        int content = Math.min(LogMel.N_FRAMES, LogMel.contentFrames(clip.length()));
        write(out, png, mel, file, window, Map.of("n_mels", String.valueOf(nMels), "content_frames", String.valueOf(content)));
        Progress.info(String.format(Locale.ROOT, "wrote %s: %d mel bins x %d frames (%d of audio%s)", out, nMels, LogMel.N_FRAMES, content,
                LogMel.contentFrames(clip.length()) > LogMel.N_FRAMES ? "; only the first 30 s window" : ", the rest zero padding"));
        return 0;
    }

    /** A vocoder's log-Mel of all of {@code part}, resampled to the preset's rate: {@code [1, n_mels, frames]}. */
    private static int vocoderMel(MelSpectrogram spec, String preset, Path file, TimeWindow window, Audio part, Path out, boolean png) {
        Audio clip = Resampler.resample(part, spec.sampleRate());
        Tensor mel = spec.compute(clip.samples());
        int bins = mel.dim(0), frames = mel.dim(1);
        write(out, png, mel, file, window, Map.of("preset", preset, "sample_rate", String.valueOf(spec.sampleRate()), "n_mels", String.valueOf(bins)));
        Progress.info(String.format(Locale.ROOT, "wrote %s: %s mel, %d bins x %d frames (%.2f s at %d Hz, hop %d)", out, preset, bins, frames,
                clip.seconds(), spec.sampleRate(), spec.hop()));
        return 0;
    }

    /**
     * {@code mel} [bins, frames] as a picture, or as tensor {@code mel} [1, bins, frames] with the source, the window
     * and {@code extra} as metadata.
     */
    private static void write(Path out, boolean png, Tensor mel, Path file, TimeWindow window, Map<String, String> extra) {
        if (png) {
            MelImage.writePng(out, mel);
            return;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source", file.toString());
        meta.put("window", window.toString());
        meta.putAll(new java.util.TreeMap<>(extra));
        try {
            SafeTensors.write(out, Map.of("mel", mel.reshape(1, mel.dim(0), mel.dim(1))), meta);
        } catch (IOException e) {
            throw SynesthesiaException.inFile(out, "cannot write: " + e.getMessage());
        }
    }
}
