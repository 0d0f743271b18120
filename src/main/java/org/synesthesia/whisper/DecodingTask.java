package org.synesthesia.whisper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The decoding of one 30 s window (openai {@code DecodingTask}): the initial tokens
 * {@code [<|startofprev|> prompt...] <|startoftranscript|> <|lang|> <|task|> [<|notimestamps|>] [prefix...]},
 * then up to {@code sampleLen} tokens sampled one at a time, each after the {@link LogitFilter}s
 * ({@link SuppressBlank}, {@link SuppressTokens}, {@link TimestampRules}), until every sequence ends with
 * {@code <|endoftext|>}. Greedy (argmax at temperature 0, sampling above, best-of N candidates) or beam search
 * ({@link BeamSearch}); the candidates are ranked by sum log-probability over a length penalty.
 * The no-speech probability is {@code softmax(logits at <|startoftranscript|>)[<|nospeech|>]}.
 */
final class DecodingTask {
    private final WhisperTokenizer tokenizer;
    private final DecodingOptions options;
    private final int nTextCtx;
    private final int nAudioCtx;

    /**
     * @param nTextCtx  the decoder's context (448): the prompt keeps at most {@code nTextCtx / 2 - 1} tokens
     * @param nAudioCtx the encoder's positions per 30 s (1500): timestamp precision is {@code 30 / nAudioCtx} s
     */
    DecodingTask(WhisperTokenizer tokenizer, DecodingOptions options, int nTextCtx, int nAudioCtx) {
        this.tokenizer = tokenizer;
        this.options = options.validate();
        this.nTextCtx = nTextCtx;
        this.nAudioCtx = nAudioCtx;
    }

    /** Task over a model's dimensions. */
    public static DecodingTask of(Whisper whisper, WhisperTokenizer tokenizer, DecodingOptions options) {
        return new DecodingTask(tokenizer, options, whisper.config().nTextCtx(), whisper.config().nAudioCtx());
    }

    /** Tokens sampled at most: {@code sampleLen}, else {@code nTextCtx / 2}. */
    int sampleLen() {
        return options.sampleLen() != null ? options.sampleLen() : nTextCtx / 2;
    }

    /** The start-of-transcript sequence for {@code language}, with {@code <|notimestamps|>} when timestamps are off. */
    int[] sotSequence(String language) {
        return options.withoutTimestamps() ? tokenizer.sotSequenceIncludingNoTimestamps(language, options.task())
                : tokenizer.sotSequence(language, options.task());
    }

    /** openai {@code _get_initial_tokens}: [sot_prev, last n_ctx/2 - 1 prompt tokens] + sot sequence + prefix. */
    int[] initialTokens(String language) {
        int[] tokens = sotSequence(language);
        int[] prefix = options.prefix();
        if (prefix != null && prefix.length > 0) {
            int maxPrefix = nTextCtx / 2 - sampleLen();
            if (options.sampleLen() != null) prefix = maxPrefix <= 0 ? new int[0] : tail(prefix, maxPrefix);
            tokens = concat(tokens, prefix);
        }
        int[] prompt = options.prompt();
        if (prompt != null && prompt.length > 0) {
            prompt = tail(prompt, nTextCtx / 2 - 1);
            tokens = concat(concat(new int[] {tokenizer.sotPrev()}, prompt), tokens);
        }
        return tokens;
    }

    /** The filters in openai's order for a sequence whose sampling starts at {@code sampleBegin}. */
    List<LogitFilter> filters(int sampleBegin) {
        List<LogitFilter> f = new ArrayList<>();
        if (options.suppressBlank()) f.add(new SuppressBlank(tokenizer, sampleBegin));
        int[] suppress = options.suppressTokenIds();
        if (suppress.length > 0) f.add(new SuppressTokens(tokenizer.suppressTokens(suppress)));
        if (!options.withoutTimestamps()) {
            int maxInitial = -1;
            if (options.maxInitialTimestamp() != null) {
                double precision = 30.0 / nAudioCtx;
                maxInitial = (int) Math.rint(options.maxInitialTimestamp() / precision);
            }
            f.add(new TimestampRules(tokenizer, sampleBegin, maxInitial));
        }
        return f;
    }

    /** Decodes the audio behind {@code source}. */
    DecodingResult run(LogitsSource source) {
        String language = options.language();
        Map<String, Double> languageProbs = null;
        if (language == null) {
            if (tokenizer.multilingual()) {
                LanguageDetection d = LanguageDetection.detect(source, tokenizer);
                language = d.language();
                languageProbs = d.probs();
            } else {
                language = "en";
            }
        } else if (tokenizer.multilingual()) {
            language = tokenizer.languageCode(tokenizer.languageToken(language)); // a name becomes its code
        }

        int[] initial = initialTokens(language);
        int sampleBegin = initial.length;
        if (sampleBegin >= source.maxLength())
            throw new IllegalArgumentException(sampleBegin + " initial tokens do not fit the text context of " + source.maxLength());
        int sotIndex = indexOf(initial, tokenizer.sot());
        List<LogitFilter> filters = filters(sampleBegin);
        int V = source.nVocab(), G = options.groupSize();

        // the initial tokens, cut after <|startoftranscript|> to read the no-speech probability there
        float[] logits = new float[G * V];
        LogitsSource.Sequence first = source.newSequence();
        LogitsSource.Sequence[] one = {first};
        source.lastLogits(new int[][] {Arrays.copyOf(initial, sotIndex + 1)}, one, logits);
        double noSpeechProb = softmaxAt(logits, 0, V, tokenizer.noSpeech());
        if (sotIndex + 1 < initial.length) source.lastLogits(new int[][] {Arrays.copyOfRange(initial, sotIndex + 1, initial.length)}, one, logits);
        LogitsSource.Sequence[] seqs = new LogitsSource.Sequence[G];
        seqs[0] = first;
        for (int g = 1; g < G; g++) {
            seqs[g] = first.copy();
            System.arraycopy(logits, 0, logits, g * V, V);
        }

        int sampleLen = sampleLen();
        int[][] tokens = new int[G][sampleBegin + sampleLen + 1];
        for (int[] t : tokens) System.arraycopy(initial, 0, t, 0, sampleBegin);
        double[] sumLogprobs = new double[G];
        boolean beam = options.beamSize() != null; // as openai: beam search whenever a beam size is given
        BeamSearch beamSearch = beam ? new BeamSearch(G, options.patience() == null ? 1.0 : options.patience(), tokenizer.eot(), seqs) : null;
        SplittableRandom rng = new SplittableRandom(options.seed());

        int length = sampleBegin;
        int[][] last = new int[G][1];
        for (int i = 0; i < sampleLen; i++) {
            if (i > 0) {
                for (int g = 0; g < G; g++) last[g][0] = tokens[g][length - 1];
                source.lastLogits(last, seqs, logits);
            }
            for (int g = 0; g < G; g++)
                for (LogitFilter f : filters) f.apply(logits, g * V, tokens[g], length);
            boolean completed = beam ? beamSearch.update(tokens, length, logits, V, sumLogprobs, seqs)
                    : greedyUpdate(tokens, length, logits, V, sumLogprobs, rng);
            length++;
            if (completed || length > source.maxLength()) break;
        }

        // candidates: [sampleBegin, first end of text) of each finished sequence, with its sum log-probability
        List<int[]> candidates = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        if (beam) {
            beamSearch.finish(tokens, length, sumLogprobs, candidates, scores);
        } else {
            for (int g = 0; g < G; g++) {
                candidates.add(Arrays.copyOf(tokens[g], length));
                scores.add(sumLogprobs[g]);
            }
        }
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        int[] bestTokens = null;
        for (int c = 0; c < candidates.size(); c++) {
            int[] t = sampled(candidates.get(c), sampleBegin);
            double s = rankScore(scores.get(c), t.length);
            if (best < 0 || s > bestScore) {
                best = c;
                bestScore = s;
                bestTokens = t;
            }
        }
        String text = PyText.strip(tokenizer.decode(bestTokens));
        double avgLogprob = scores.get(best) / (bestTokens.length + 1);
        return new DecodingResult(language, languageProbs, bestTokens, text, avgLogprob, noSpeechProb,
                options.temperature(), CompressionRatio.of(text));
    }

    /** The tokens of {@code seq} from {@code sampleBegin} up to its first end of text. */
    private int[] sampled(int[] seq, int sampleBegin) {
        int end = seq.length;
        for (int i = sampleBegin; i < seq.length; i++)
            if (seq[i] == tokenizer.eot()) {
                end = i;
                break;
            }
        return Arrays.copyOfRange(seq, sampleBegin, end);
    }

    /** openai {@code MaximumLikelihoodRanker}: logprob / length, or logprob / ((5 + length) / 6)^alpha. */
    double rankScore(double sumLogprob, int length) {
        Double alpha = options.lengthPenalty();
        double penalty = alpha == null ? length : Math.pow((5.0 + length) / 6.0, alpha);
        return sumLogprob / penalty;
    }

    /**
     * openai {@code GreedyDecoder.update}: argmax (temperature 0) or a draw from softmax(logits / T); finished
     * sequences keep appending the end of text and stop accumulating log-probability.
     */
    private boolean greedyUpdate(int[][] tokens, int length, float[] logits, int V, double[] sumLogprobs, SplittableRandom rng) {
        boolean completed = true;
        double t = options.temperature();
        for (int g = 0; g < tokens.length; g++) {
            int off = g * V;
            int next = t == 0 ? WhisperDecoder.argmax(logits, off, V) : sample(logits, off, V, t, rng);
            if (tokens[g][length - 1] == tokenizer.eot()) {
                next = tokenizer.eot();
            } else {
                sumLogprobs[g] += logits[off + next] - logSumExp(logits, off, V);
            }
            tokens[g][length] = next;
            completed &= next == tokenizer.eot();
        }
        return completed;
    }

    /** A draw from the categorical distribution softmax(logits[off, off + n) / temperature). */
    static int sample(float[] logits, int off, int n, double temperature, SplittableRandom rng) {
        double max = TimestampRules.max(logits, off, off + n);
        double[] cum = new double[n];
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp((logits[off + i] - max) / temperature);
            cum[i] = s;
        }
        double u = rng.nextDouble() * s;
        for (int i = 0; i < n; i++)
            if (u < cum[i]) return i;
        for (int i = n - 1; i >= 0; i--) if (logits[off + i] != Float.NEGATIVE_INFINITY) return i;
        return n - 1;
    }

    /** log(sum(exp(logits[off, off + n)))). */
    static double logSumExp(float[] logits, int off, int n) {
        double max = TimestampRules.max(logits, off, off + n);
        if (max == Double.NEGATIVE_INFINITY) return max;
        return max + Math.log(TimestampRules.sumExp(logits, off, off + n, max));
    }

    /** softmax(logits[off, off + n))[index]. */
    static double softmaxAt(float[] logits, int off, int n, int index) {
        return Math.exp(logits[off + index] - logSumExp(logits, off, n));
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        throw new IllegalStateException("no start-of-transcript token in the initial tokens");
    }

    private static int[] tail(int[] a, int n) {
        return a.length <= n ? a : Arrays.copyOfRange(a, a.length - n, a.length);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
