package org.synesthesia.whisper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Long-form transcription (openai {@code transcribe}): the log-Mel of the whole audio, computed on the audio
 * followed by 30 s of silence ([n_mels, content_frames + 3000], 100 frames per second), is decoded in 30 s windows.
 * Each window starts at frame {@code seek}: {@code mel[:, seek : seek + min(3000, content_frames - seek)]}, padded
 * with zeros to 3000 frames. Its decoding is retried at rising temperatures while its text is too repetitive
 * (compression ratio above the threshold) or unlikely (average log-probability below the threshold), unless it
 * is silence. A window likely to be silence is skipped. The timestamp tokens cut the window's tokens into
 * segments; the next window starts at the last complete segment's end timestamp (or after the window when the
 * text ends with a single timestamp or has none). With {@code conditionOnPreviousText}, the tokens so far prompt
 * the next window after {@code <|startofprev|>}.
 */
public final class Transcriber {
    /** Mel frames per 30 s window. */
    static final int N_FRAMES = 3000;
    /** Audio samples per mel frame (at 16 kHz). */
    static final int HOP_LENGTH = 160;
    static final int SAMPLE_RATE = 16_000;

    /** Encodes one window's mel [1, n_mels, 3000] and returns the decoder over it; {@code where} names the window in errors. */
    @FunctionalInterface
    interface WindowEncoder {
        LogitsSource encode(Tensor melWindow, String where);
    }

    /** What the transcription reports as it goes (progress on stderr in the command). */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** The language was detected on the first window. */
        default void languageDetected(LanguageDetection detection) {}

        /** The window at {@code seek} frames will be decoded ({@code contentFrames} in all). */
        default void window(int seek, int contentFrames) {}

        /** A segment was transcribed. */
        default void segment(Segment segment) {}

        /** A decode at {@code result.temperature()} was rejected and is retried warmer. */
        default void fallback(int seek, DecodingResult result) {}
    }

    private final WindowEncoder encoder;
    private final WhisperTokenizer tokenizer;
    private final int nMels, nTextCtx, nAudioCtx;

    Transcriber(WindowEncoder encoder, WhisperTokenizer tokenizer, int nMels, int nTextCtx, int nAudioCtx) {
        this.encoder = encoder;
        this.tokenizer = tokenizer;
        this.nMels = nMels;
        this.nTextCtx = nTextCtx;
        this.nAudioCtx = nAudioCtx;
        if (N_FRAMES % nAudioCtx != 0) throw new IllegalArgumentException("n_audio_ctx " + nAudioCtx + " does not divide " + N_FRAMES + " frames");
    }

    /** A transcriber over a loaded model. */
    public static Transcriber of(Whisper whisper, WhisperTokenizer tokenizer) {
        WhisperConfig c = whisper.config();
        if (tokenizer.nVocab() != c.nVocab())
            throw new SynesthesiaException("the tokenizer has " + tokenizer.nVocab() + " tokens but the model " + c.nVocab());
        return new Transcriber((mel, where) -> {
            long t0 = org.synesthesia.util.Timings.start();
            Tensor features = whisper.encode(mel);
            org.synesthesia.util.Timings.add("encoder", t0);
            return DecoderLogits.of(whisper, features, where);
        }, tokenizer, c.nMels(), c.nTextCtx(), c.nAudioCtx());
    }

    WhisperTokenizer tokenizer() {
        return tokenizer;
    }

    /** Frames of audio in a mel computed with 30 s of padding ({@code frames - 3000}). */
    public static int contentFrames(Tensor mel) {
        return Math.max(0, mel.dim(-1) - N_FRAMES);
    }

    /** {@code window N (at T s)}: the window's number from 1 and its start in the mel (seconds). */
    private static String where(int number, int seek) {
        return String.format(java.util.Locale.ROOT, "window %d (at %.3f s)", number, (double) seek * HOP_LENGTH / SAMPLE_RATE);
    }

    /** {@code mel[:, seek : seek + size]} zero-padded to [1, n_mels, 3000]. */
    static Tensor window(Tensor mel, int seek, int size) {
        Tensor m = mel.rank() == 3 ? mel.reshape(mel.dim(1), mel.dim(2)) : mel;
        int nMels = m.dim(0), frames = m.dim(1);
        int n = Math.max(0, Math.min(Math.min(size, N_FRAMES), frames - seek));
        float[] out = new float[nMels * N_FRAMES];
        for (int r = 0; r < nMels; r++)
            for (int f = 0; f < n; f++) out[r * N_FRAMES + f] = m.get(r, seek + f);
        return Tensor.of(out, 1, nMels, N_FRAMES);
    }

    /**
     * openai {@code detect_language} on the first 30 s window of a log-Mel [n_mels, frames] (or [1, n_mels, frames]):
     * what {@link #transcribe} does when no language is given, without decoding.
     */
    public LanguageDetection detectLanguage(Tensor mel) {
        if (mel.rank() == 3 && mel.dim(0) == 1) mel = mel.reshape(mel.dim(1), mel.dim(2));
        if (mel.rank() != 2 || mel.dim(0) != nMels)
            throw new SynesthesiaException("log-Mel of shape " + Arrays.toString(mel.shape()) + ", the model wants [" + nMels + ", frames]");
        if (!tokenizer.multilingual()) throw new SynesthesiaException("an English-only model has no language tokens to detect a language with");
        return LanguageDetection.detect(encoder.encode(window(mel.contiguous(), 0, N_FRAMES), where(1, 0)), tokenizer);
    }

    /**
     * Transcribes a whole log-Mel [n_mels, frames] (or [1, n_mels, frames]) computed as described above.
     */
    public Transcript transcribe(Tensor mel, TranscribeOptions options, Listener listener) {
        if (mel.rank() == 3 && mel.dim(0) == 1) mel = mel.reshape(mel.dim(1), mel.dim(2));
        if (mel.rank() != 2 || mel.dim(0) != nMels)
            throw new SynesthesiaException("log-Mel of shape " + Arrays.toString(mel.shape()) + ", the model wants [" + nMels + ", frames]");
        mel = mel.contiguous();
        int contentFrames = contentFrames(mel);
        DecodingOptions decoding = options.decoding();
        String language = decoding.language();
        if (language == null) {
            if (!tokenizer.multilingual()) {
                language = "en";
            } else {
                LanguageDetection d = LanguageDetection.detect(encoder.encode(window(mel, 0, N_FRAMES), where(1, 0)), tokenizer);
                listener.languageDetected(d);
                language = d.language();
            }
        }
        decoding = decoding.withLanguage(language);

        int inputStride = N_FRAMES / nAudioCtx;
        double timePrecision = (double) inputStride * HOP_LENGTH / SAMPLE_RATE;
        List<Integer> allTokens = new ArrayList<>();
        List<Segment> allSegments = new ArrayList<>();
        int promptResetSince = 0;
        int initialPromptLength = 0;
        if (options.initialPrompt() != null) {
            int[] p = tokenizer.encode(" " + PyText.strip(options.initialPrompt()));
            for (int t : p) allTokens.add(t);
            initialPromptLength = p.length;
        }

        int seek = 0, windows = 0;
        while (seek < contentFrames) {
            listener.window(seek, contentFrames);
            double timeOffset = (double) seek * HOP_LENGTH / SAMPLE_RATE;
            int segmentSize = Math.min(N_FRAMES, contentFrames - seek);
            double segmentDuration = (double) segmentSize * HOP_LENGTH / SAMPLE_RATE;
            LogitsSource source = encoder.encode(window(mel, seek, segmentSize), where(++windows, seek));

            int[] prompt = allTokens.subList(promptResetSince, allTokens.size()).stream().mapToInt(Integer::intValue).toArray();
            DecodingOptions windowOptions = decoding.withPrompt(prompt).withSeed(decoding.seed() + seek);
            int finalSeek = seek;
            DecodingResult result = decodeWithFallback(source, windowOptions, options, r -> listener.fallback(finalSeek, r));
            int[] tokens = result.tokens();

            if (options.noSpeechThreshold() != null) {
                boolean skip = result.noSpeechProb() > options.noSpeechThreshold();
                if (options.logprobThreshold() != null && result.avgLogprob() > options.logprobThreshold()) skip = false;
                if (skip) {
                    seek += segmentSize;
                    continue;
                }
            }

            List<Segment> current = new ArrayList<>();
            int n = tokens.length;
            boolean[] ts = new boolean[n];
            for (int i = 0; i < n; i++) ts[i] = tokenizer.isTimestamp(tokens[i]);
            boolean singleTimestampEnding = n >= 2 && !ts[n - 2] && ts[n - 1];
            List<Integer> slices = new ArrayList<>();
            for (int i = 1; i < n; i++) if (ts[i - 1] && ts[i]) slices.add(i);
            int base = allSegments.size();
            if (!slices.isEmpty()) {
                if (singleTimestampEnding) slices.add(n);
                int lastSlice = 0;
                for (int cut : slices) {
                    int[] sliced = Arrays.copyOfRange(tokens, lastSlice, cut);
                    double start = timeOffset + (sliced[0] - tokenizer.timestampBegin()) * timePrecision;
                    double end = timeOffset + (sliced[sliced.length - 1] - tokenizer.timestampBegin()) * timePrecision;
                    current.add(segment(base + current.size(), seek, start, end, sliced, result));
                    lastSlice = cut;
                }
                if (singleTimestampEnding) seek += segmentSize;
                else seek += (tokens[lastSlice - 1] - tokenizer.timestampBegin()) * inputStride;
            } else {
                double duration = segmentDuration;
                int lastTs = -1;
                for (int i = n - 1; i >= 0; i--)
                    if (ts[i]) {
                        lastTs = tokens[i];
                        break;
                    }
                if (lastTs >= 0 && lastTs != tokenizer.timestampBegin()) duration = (lastTs - tokenizer.timestampBegin()) * timePrecision;
                current.add(segment(base, seek, timeOffset, timeOffset + duration, tokens, result));
                seek += segmentSize;
            }

            for (Segment s : current) {
                Segment kept = s.start() == s.end() || PyText.strip(s.text()).isEmpty()
                        ? new Segment(s.id(), s.seek(), s.start(), s.end(), "", new int[0], s.temperature(), s.avgLogprob(), s.compressionRatio(), s.noSpeechProb())
                        : s;
                allSegments.add(kept);
                for (int t : kept.tokens()) allTokens.add(t);
                listener.segment(kept);
            }
            if (!options.conditionOnPreviousText() || result.temperature() > 0.5) promptResetSince = allTokens.size();
        }
        int[] textTokens = allTokens.subList(initialPromptLength, allTokens.size()).stream().mapToInt(Integer::intValue).toArray();
        return new Transcript(tokenizer.decode(textTokens), allSegments, language);
    }

    private Segment segment(int id, int seek, double start, double end, int[] tokens, DecodingResult r) {
        int k = 0;
        int[] text = new int[tokens.length];
        for (int t : tokens) if (t < tokenizer.eot()) text[k++] = t;
        return new Segment(id, seek, start, end, tokenizer.decode(Arrays.copyOf(text, k)), tokens, r.temperature(),
                r.avgLogprob(), r.compressionRatio(), r.noSpeechProb());
    }

    /**
     * openai {@code decode_with_fallback}: decodes at each temperature in turn (beam search and patience only at 0,
     * best-of only above 0) until the result is neither too repetitive nor too unlikely, or is silence; returns the
     * accepted (or the last) result.
     */
    DecodingResult decodeWithFallback(LogitsSource source, DecodingOptions base, TranscribeOptions options,
                                             java.util.function.Consumer<DecodingResult> onFallback) {
        DecodingResult result = null;
        double[] temperatures = options.temperatures();
        for (int i = 0; i < temperatures.length; i++) {
            double t = temperatures[i];
            DecodingOptions o = t > 0 ? base.withBeamSize(null, null).withTemperature(t).withSeed(base.seed() * 31 + i)
                    : base.withBestOf(null).withTemperature(t);
            result = new DecodingTask(tokenizer, o, nTextCtx, nAudioCtx).run(source);
            boolean fallback = false;
            if (options.compressionRatioThreshold() != null && result.compressionRatio() > options.compressionRatioThreshold()) fallback = true;
            if (options.logprobThreshold() != null && result.avgLogprob() < options.logprobThreshold()) fallback = true;
            if (options.noSpeechThreshold() != null && result.noSpeechProb() > options.noSpeechThreshold()
                    && options.logprobThreshold() != null && result.avgLogprob() < options.logprobThreshold()) fallback = false;
            if (!fallback) break;
            if (i + 1 < temperatures.length && onFallback != null) onFallback.accept(result);
        }
        return result;
    }
}
