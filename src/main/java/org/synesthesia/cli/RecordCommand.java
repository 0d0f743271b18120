package org.synesthesia.cli;

import java.nio.file.Path;
import java.util.Locale;
import javax.sound.sampled.AudioSystem;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.LineMicrophone;
import org.synesthesia.audio.Microphone;
import org.synesthesia.audio.WavWriter;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/** {@code synesthesia record [--seconds 10] --out take.wav}: records the default microphone to a 16 kHz mono 16-bit WAV. */
public final class RecordCommand implements Command {
    /** Where capture lines come from; tests substitute a fake. */
    static volatile LineMicrophone.LineSource lines = AudioSystem::getTargetDataLine;

    @Override
    public String name() {
        return "record";
    }

    @Override
    public String summary() {
        return "record from the microphone to a 16 kHz mono WAV";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia record [--seconds S] --out OUT.wav

                Records S seconds (default 10) from the default microphone and writes them as a 16 kHz mono
                16-bit WAV (the file appears only when the recording is complete).""";
    }

    @Override
    public int run(Args args) {
        double seconds = args.getDouble("seconds", Microphone.DEFAULT_SECONDS);
        Path out = Path.of(args.require("out"));
        args.finish();
        if (!args.positionals().isEmpty()) throw new SynesthesiaException("record: unexpected argument '" + args.positionals().get(0) + "' (see synesthesia record --help)");
        if (!(seconds > 0) || seconds > 24 * 3600) throw new SynesthesiaException("record: --seconds must be between 0 and 86400, not " + args.get("seconds", ""));
        Audio audio;
        try (Microphone mic = LineMicrophone.open(lines)) {
            Progress.info(String.format(Locale.ROOT, "recording %s s from %s", fmt(seconds), mic.description()));
            long total = (long) Math.ceil(seconds);
            try (Progress p = Progress.start("recording", total, "s")) {
                long[] shown = {0};
                audio = mic.record(seconds, s -> {
                    long whole = Math.min(total, (long) Math.floor(s + 1e-9));
                    if (s >= seconds) whole = total;
                    if (whole > shown[0]) {
                        p.advance(whole - shown[0]);
                        shown[0] = whole;
                    }
                });
            }
        }
        WavWriter.write(out, audio, WavWriter.Encoding.PCM16);
        Progress.info(String.format(Locale.ROOT, "wrote %s (%s s, 16 kHz mono 16-bit)", out, fmt(audio.seconds())));
        return 0;
    }

    private static String fmt(double s) {
        return String.format(Locale.ROOT, "%.2f", s).replaceAll("\\.?0+$", "");
    }
}
