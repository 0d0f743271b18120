package org.synesthesia.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.MelSpectrogram;
import org.synesthesia.audio.Resampler;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.audio.WavWriter;
import org.synesthesia.tensor.Finite;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.vocoder.HifiGan;

/**
 * {@code synesthesia vocode IN.wav --vocoder PATH --out OUT.wav}: the vocoder's own log-mel of a recording
 * (resampled to its rate), resynthesised, written as a 16-bit WAV at the vocoder's rate; prints the mean absolute
 * log-mel distance between input and output (HiFi-GAN V2 LJSpeech on speech: about 0.42; white noise 2.6).
 */
public final class VocodeCommand implements Command {
    @Override
    public String name() {
        return "vocode";
    }

    @Override
    public String summary() {
        return "resynthesise a recording through a HiFi-GAN vocoder and measure the log-mel distance";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia vocode IN.wav --vocoder PATH [--from S] [--to S] --out OUT.wav

                Computes the vocoder's own log-Mel spectrogram of IN (WAV or FLAC, mixed to mono, resampled to the
                vocoder's rate; HiFi-GAN's meldataset recipe for its config), resynthesises it and writes OUT as
                16-bit mono WAV at that rate. Prints the mean absolute log-mel distance between input and output
                (same recipe on both): a real-weight check anyone can run on their own recordings.
                  --vocoder PATH     a HiFi-GAN generator: jik876's generator file with its config.json beside it,
                                     a diffusers vocoder/ folder, or an AudioLDM checkpoint (its vocoder)
                  --from S, --to S   use only [S, S) seconds of IN (default: all of it)
                  --out PATH         the resynthesis, .wav""";
    }

    @Override
    public int run(Args args) {
        Path in = Path.of(args.positional(0, "audio file"));
        Path vocoder = Path.of(args.require("vocoder"));
        Double from = args.has("from") ? args.getDouble("from", 0) : null;
        Double to = args.has("to") ? args.getDouble("to", 0) : null;
        Path out = Path.of(args.require("out"));
        args.finish();
        if (args.positionals().size() > 1) throw new SynesthesiaException("vocode: one audio file expected, got " + args.positionals().size() + " (see synesthesia vocode --help)");
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav")) throw new SynesthesiaException("vocode: --out must end in .wav, not " + out);
        TimeWindow window = TimeWindow.of(from, to);
        Audio audio = AudioFiles.read(in);
        Audio part = window.apply(audio, in);
        try (HifiGan gan = HifiGan.load(vocoder)) {
            int rate = gan.config().samplingRate();
            Audio clip = Resampler.resample(part, rate);
            Progress.info(String.format(Locale.ROOT, "%s: %.2f s at %d Hz%s, resampled to %d Hz; %s", in, audio.seconds(), audio.sampleRate(),
                    window.isAll() ? "" : String.format(Locale.ROOT, ", using %.2f s from %s", part.seconds(), window), rate, gan.description()));
            Tensor mel = gan.melOf(clip.samples());
            long t0 = System.nanoTime();
            Tensor wave = gan.forward(mel.reshape(1, mel.dim(0), mel.dim(1)));
            double seconds = (System.nanoTime() - t0) / 1e9;
            float[] samples = wave.toArray();
            Finite.check(samples, "hifigan vocoder output (waveform)");
            Tensor resynth = gan.melOf(samples);
            double distance = MelSpectrogram.meanAbsLogMelDistance(mel, resynth);
            WavWriter.write(out, new Audio(samples, rate), WavWriter.Encoding.PCM16);
            Progress.info(String.format(Locale.ROOT, "wrote %s: %d mel frames -> %.2f s at %d Hz in %.2f s (%.1fx real time)", out, mel.dim(1),
                    samples.length / (double) rate, rate, seconds, samples.length / (double) rate / seconds));
            System.out.printf(Locale.ROOT, "mean absolute log-mel distance: %.4f%n", distance);
        }
        return 0;
    }
}
