package org.synesthesia.audio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.synesthesia.io.MappedFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * The one entry point for audio files: {@link #read(Path)} looks at the first bytes and hands the file to
 * {@link WavReader} ({@code RIFF}/{@code RF64}/{@code RIFX}) or {@link FlacDecoder} ({@code fLaC}, possibly after
 * an ID3v2 tag). Anything else is a one-line error {@code FILE: not a WAV or FLAC file (...)}.
 *
 * <p>Typical use for speech models: {@code Resampler.to16k(window.apply(AudioFiles.read(path), path))}.
 */
public final class AudioFiles {
    private AudioFiles() {}

    /** Reads a WAV or FLAC file as mono audio at its own sample rate. */
    public static Audio read(Path path) {
        try (MappedFile f = MappedFile.open(path)) {
            MemorySegment s = f.segment();
            if (startsWith(s, 0, "RIFF") || startsWith(s, 0, "RF64") || startsWith(s, 0, "RIFX")) return WavReader.read(s, path);
            if (startsWith(s, 0, "fLaC")) return FlacDecoder.read(s, path, FlacDecoder.Options.DEFAULT);
            if (startsWith(s, 0, "ID3")) {
                long after = FlacDecoder.skipId3(s);
                if (startsWith(s, after, "fLaC")) return FlacDecoder.read(s, path, FlacDecoder.Options.DEFAULT);
            }
            throw SynesthesiaException.inFile(path, "not a WAV or FLAC file" + guess(s));
        }
    }

    /** Reads {@code path} and keeps {@code window} of it. */
    public static Audio read(Path path, TimeWindow window) {
        return window.apply(read(path), path);
    }

    private static String guess(MemorySegment s) {
        if (s.byteSize() == 0) return " (it is empty)";
        if (startsWith(s, 0, "ID3") || s.byteSize() >= 2 && b(s, 0) == 0xFF && (b(s, 1) & 0xE0) == 0xE0) return " (looks like MP3; convert it, e.g. ffmpeg -i IN -ar 16000 -ac 1 OUT.wav)";
        if (startsWith(s, 0, "OggS")) return " (looks like Ogg; convert it to WAV or FLAC)";
        if (startsWith(s, 4, "ftyp")) return " (looks like MP4/M4A; convert it to WAV or FLAC)";
        if (startsWith(s, 0, "FORM")) return " (looks like AIFF; convert it to WAV or FLAC)";
        return "";
    }

    private static int b(MemorySegment s, long p) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, p));
    }

    private static boolean startsWith(MemorySegment s, long p, String magic) {
        if (p < 0 || s.byteSize() < p + magic.length()) return false;
        for (int i = 0; i < magic.length(); i++) if (b(s, p + i) != magic.charAt(i)) return false;
        return true;
    }
}
