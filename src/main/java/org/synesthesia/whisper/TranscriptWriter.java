package org.synesthesia.whisper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * Transcript files as openai/whisper's {@code utils.py} writers produce them (UTF-8, {@code \n} line ends):
 * <ul>
 *   <li>{@code txt}: each segment's stripped text on its own line;</li>
 *   <li>{@code vtt}: {@code WEBVTT}, blank line, then per segment {@code MM:SS.mmm --> MM:SS.mmm} (hours only
 *       from one hour on, as openai writes them), the text with {@code -->} → {@code ->}, a blank line;</li>
 *   <li>{@code srt}: per segment its number from 1, {@code HH:MM:SS,mmm --> HH:MM:SS,mmm}, the text, a blank line;</li>
 *   <li>{@code tsv}: {@code start\tend\ttext} with times in integer milliseconds;</li>
 *   <li>{@code json}: {@code json.dump(result)} of {@code {"text", "segments": [{"id", "seek", "start", "end",
 *       "text", "tokens", "temperature", "avg_logprob", "compression_ratio", "no_speech_prob"}], "language"}}.</li>
 * </ul>
 * Word-level subtitle options (max_line_width, highlight_words) need word timestamps and are not offered.
 */
public final class TranscriptWriter {
    private TranscriptWriter() {}

    public enum Format {
        TXT, VTT, SRT, TSV, JSON, LRC, CSV;

        public String extension() { return name().toLowerCase(Locale.ROOT); }

        /** {@code txt|vtt|srt|tsv|json|lrc|csv} (case-insensitive). */
        public static Format parse(String s) {
            for (Format f : values()) if (f.extension().equalsIgnoreCase(s)) return f;
            throw new SynesthesiaException("unknown output format '" + s + "' (expected txt, vtt, srt, tsv, json, lrc, csv or all)");
        }
    }

    /**
     * openai {@code format_timestamp}: {@code [HH:]MM:SS<marker>mmm}, with milliseconds {@code round(seconds*1000)}
     * (half to even) and hours written when {@code alwaysIncludeHours} or non-zero.
     */
    public static String formatTimestamp(double seconds, boolean alwaysIncludeHours, char decimalMarker) {
        if (!(seconds >= 0)) throw new IllegalArgumentException("non-negative timestamp expected, got " + seconds);
        long ms = (long) Math.rint(seconds * 1000.0);
        long hours = ms / 3_600_000;
        ms -= hours * 3_600_000;
        long minutes = ms / 60_000;
        ms -= minutes * 60_000;
        long secs = ms / 1_000;
        ms -= secs * 1_000;
        String h = alwaysIncludeHours || hours > 0 ? String.format(Locale.ROOT, "%02d:", hours) : "";
        return String.format(Locale.ROOT, "%s%02d:%02d%c%03d", h, minutes, secs, decimalMarker, ms);
    }

    /** The file's content in {@code format}. */
    public static String format(Transcript t, Format format) {
        StringBuilder b = new StringBuilder();
        switch (format) {
            case TXT -> {
                for (Segment s : t.segments()) b.append(PyText.strip(s.text())).append('\n');
            }
            case VTT -> {
                b.append("WEBVTT\n\n");
                for (Segment s : t.segments()) {
                    b.append(formatTimestamp(s.start(), false, '.')).append(" --> ").append(formatTimestamp(s.end(), false, '.')).append('\n');
                    b.append(subtitleText(s)).append("\n\n");
                }
            }
            case SRT -> {
                int i = 1;
                for (Segment s : t.segments()) {
                    b.append(i++).append('\n');
                    b.append(formatTimestamp(s.start(), true, ',')).append(" --> ").append(formatTimestamp(s.end(), true, ',')).append('\n');
                    b.append(subtitleText(s)).append("\n\n");
                }
            }
            case TSV -> {
                b.append("start\tend\ttext\n");
                for (Segment s : t.segments()) {
                    b.append((long) Math.rint(1000 * s.start())).append('\t');
                    b.append((long) Math.rint(1000 * s.end())).append('\t');
                    b.append(PyText.strip(s.text()).replace("\t", " ")).append('\n');
                }
            }
            case JSON -> Json.writePython(asMap(t), b);
            case LRC -> {
                // whisper.cpp's lyrics: a [by:] tag, then [mm:ss.cc]text per segment (start, centiseconds truncated)
                b.append("[by:synesthesia]\n");
                for (Segment s : t.segments()) b.append('[').append(lrcTimestamp(s.start())).append(']').append(s.text()).append('\n');
            }
            case CSV -> {
                // whisper.cpp's: start,end in integer ms, the text quoted with " and \ escaped by a backslash
                b.append("start,end,text\n");
                for (Segment s : t.segments()) {
                    b.append((long) Math.rint(1000 * s.start())).append(',').append((long) Math.rint(1000 * s.end())).append(',');
                    b.append('"').append(s.text().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
                }
            }
        }
        return b.toString();
    }

    /** {@code mm:ss.cc} of whisper.cpp's LRC writer: whole centiseconds (Whisper's times are multiples of 20 ms), minutes unbounded. */
    static String lrcTimestamp(double seconds) {
        if (!(seconds >= 0)) throw new IllegalArgumentException("non-negative timestamp expected, got " + seconds);
        long cs = (long) Math.rint(seconds * 100.0);
        return String.format(Locale.ROOT, "%02d:%02d.%02d", cs / 6000, cs / 100 % 60, cs % 100);
    }

    private static String subtitleText(Segment s) {
        return PyText.strip(s.text()).replace("-->", "->");
    }

    /** The result dictionary openai's {@code transcribe} returns, keys in its order. */
    static Map<String, Object> asMap(Transcript t) {
        List<Object> segs = new ArrayList<>();
        for (Segment s : t.segments()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("seek", s.seek());
            m.put("start", s.start());
            m.put("end", s.end());
            m.put("text", s.text());
            m.put("tokens", s.tokens());
            m.put("temperature", s.temperature());
            m.put("avg_logprob", s.avgLogprob());
            m.put("compression_ratio", s.compressionRatio());
            m.put("no_speech_prob", s.noSpeechProb());
            segs.add(m);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("text", t.text());
        r.put("segments", segs);
        r.put("language", t.language());
        return r;
    }

    /** Writes {@code format} to {@code file} atomically. */
    public static void write(Path file, Transcript t, Format format) {
        byte[] bytes = format(t, format).getBytes(StandardCharsets.UTF_8);
        try {
            AtomicFiles.write(file, out -> out.write(bytes));
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot write: " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw SynesthesiaException.inFile(file, "cannot write: " + e.getCause().getMessage());
        }
    }

    /**
     * Writes {@code outputDir/<audio name without extension>.<ext>} for each format (openai's writer naming);
     * returns the paths written.
     */
    public static List<Path> writeAll(Path outputDir, Path audioPath, Transcript t, List<Format> formats) {
        String name = audioPath.getFileName().toString();
        int dot = name.lastIndexOf('.');
        List<Path> targets = targets(outputDir.resolve(dot > 0 ? name.substring(0, dot) : name), formats);
        writeAll(targets, t, formats);
        return targets;
    }

    /** {@code base.<ext>} for each format (whisper.cpp's {@code --output-file} naming: the extension appended). */
    public static List<Path> targets(Path base, List<Format> formats) {
        List<Path> targets = new ArrayList<>();
        for (Format f : formats) targets.add(base.resolveSibling(base.getFileName() + "." + f.extension()));
        return targets;
    }

    /** Writes {@code formats.get(i)} to {@code targets.get(i)}, each atomically. */
    public static void writeAll(List<Path> targets, Transcript t, List<Format> formats) {
        if (targets.size() != formats.size()) throw new IllegalArgumentException(targets.size() + " targets for " + formats.size() + " formats");
        for (int i = 0; i < targets.size(); i++) write(targets.get(i), t, formats.get(i));
    }
}
