package org.synesthesia.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.util.SynesthesiaException;

/**
 * A byte-level BPE encoding in tiktoken's format, computing what {@code tiktoken.Encoding} computes.
 *
 * <p>Ids {@code [0, nRanks)} are the mergeable tokens: rank {@code r} is the byte string on line
 * {@code base64(bytes) r} of the {@code .tiktoken} file (one rank may be the empty string, a placeholder that
 * decodes to nothing and is never produced). Ids {@code [nRanks, nVocab)} are the special tokens, in
 * the order given, which never come out of {@link #encodeOrdinary} and decode to their own text.
 *
 * <p>Encoding: the text is cut into pieces by the pre-tokeniser {@code pattern} (leftmost-first alternation, on
 * code points); each piece's UTF-8 bytes are one token when the whole byte string has a rank, otherwise they start
 * as single bytes and the adjacent pair whose concatenation has the lowest rank is merged (leftmost on ties) until
 * no adjacent pair has a rank. Every single byte has a rank, so any text encodes, and decoding the concatenated
 * token bytes gives back the text's UTF-8 exactly. Thread-safe; piece encodings are cached.
 */
public final class Tiktoken {
    private static final int CACHE_LIMIT = 1 << 16;

    private final String name;
    private final Pattern pattern;
    private final ByteRanks ranks;
    private final byte[][] tokenBytes; // by id, specials included (their UTF-8 text)
    private final String[] specialText; // id - nRanks
    private final Map<String, Integer> specialIds;
    private final ConcurrentHashMap<String, int[]> pieceCache = new ConcurrentHashMap<>();

    /**
     * @param name          shown in messages (normally the file name)
     * @param rankBytes     {@code rankBytes[r]} = the byte string of rank {@code r}; all 256 single bytes must occur
     * @param specials      special tokens' texts, given ids {@code rankBytes.length, rankBytes.length+1, ...}
     * @param patternString the pre-tokeniser regex; {@code \s} means Unicode White_Space as in tiktoken
     */
    public Tiktoken(String name, byte[][] rankBytes, List<String> specials, String patternString) {
        this.name = name;
        // UNICODE_CHARACTER_CLASS: \s / \S are Unicode White_Space (Java's default is ASCII only), like tiktoken
        this.pattern = Pattern.compile(patternString, Pattern.UNICODE_CHARACTER_CLASS);
        this.ranks = new ByteRanks(rankBytes);
        for (int b = 0; b < 256; b++) {
            if (ranks.get(new byte[] {(byte) b}, 0, 1) < 0)
                throw new SynesthesiaException(name + ": single byte 0x" + Integer.toHexString(b) + " has no rank; not a byte-level BPE");
        }
        int n = rankBytes.length;
        this.tokenBytes = Arrays.copyOf(rankBytes, n + specials.size());
        this.specialText = specials.toArray(new String[0]);
        this.specialIds = new HashMap<>();
        for (int i = 0; i < specialText.length; i++) {
            tokenBytes[n + i] = specialText[i].getBytes(StandardCharsets.UTF_8);
            if (specialIds.put(specialText[i], n + i) != null)
                throw new IllegalArgumentException(name + ": special token " + specialText[i] + " given twice");
        }
    }

    /**
     * Reads a {@code .tiktoken} file: one {@code base64(token bytes) rank} per line, ranks {@code 0..n-1} each once.
     * Missing file, bad base64, a gap or duplicate in the ranks: a {@link SynesthesiaException} naming the file.
     */
    public static byte[][] readRanks(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return readRanks(in, file.toString());
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(file, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    /** As {@link #readRanks(Path)} from a stream; {@code source} names it in messages. */
    public static byte[][] readRanks(InputStream in, String source) throws IOException {
        // tokens and ranks are collected first: a rank is checked against the number of tokens read before any
        // table is sized by it (a rank of 10^9 in a 2-line file is refused, not allocated)
        List<byte[]> tokens = new ArrayList<>(1 << 16);
        IntList ranks = new IntList(1 << 16), lines = new IntList(1 << 16);
        Base64.Decoder b64 = Base64.getDecoder();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16);
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) continue;
            String[] f = line.trim().split("\\s+");
            if (f.length != 2) throw SynesthesiaException.inFile(source, "line " + lineNo + ": expected 'base64 rank', got '" + abbreviate(line) + "'");
            byte[] bytes;
            int rank;
            try {
                // "=" alone is the empty string (multilingual.tiktoken's unused rank 50256); decode without padding
                String b = f[0];
                int end = b.length();
                while (end > 0 && b.charAt(end - 1) == '=') end--;
                bytes = b64.decode(b.substring(0, end));
                rank = Integer.parseInt(f[1]);
            } catch (IllegalArgumentException e) {
                throw SynesthesiaException.inFile(source, "line " + lineNo + ": bad token or rank '" + abbreviate(line) + "'");
            }
            if (rank < 0) throw SynesthesiaException.inFile(source, "line " + lineNo + ": rank " + rank + " is negative");
            tokens.add(bytes);
            ranks.add(rank);
            lines.add(lineNo);
        }
        int n = tokens.size();
        if (n == 0) throw SynesthesiaException.inFile(source, "no tokens (empty file)");
        byte[][] byRank = new byte[n][];
        for (int i = 0; i < n; i++) {
            int rank = ranks.a[i];
            if (rank >= n) throw SynesthesiaException.inFile(source, "line " + lines.a[i] + ": rank " + rank + " outside 0.." + (n - 1) + " (" + n + " tokens: ranks are 0..n-1, each once)");
            if (byRank[rank] != null) throw SynesthesiaException.inFile(source, "line " + lines.a[i] + ": rank " + rank + " given twice");
            byRank[rank] = tokens.get(i);
        }
        // token bytes (as ISO-8859-1 text, one char per byte) -> rank: a token under two ranks is an error, as a gap is
        java.util.Map<String, Integer> rankOf = new java.util.HashMap<>(2 * n);
        for (int i = 0; i < n; i++) {
            Integer other = rankOf.putIfAbsent(new String(tokens.get(i), StandardCharsets.ISO_8859_1), ranks.a[i]);
            if (other != null)
                throw SynesthesiaException.inFile(source, "line " + lines.a[i] + ": rank " + ranks.a[i] + " has the same bytes as rank " + other);
        }
        return byRank; // n tokens with n distinct ranks in 0..n-1: no rank is missing
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    public String name() { return name; }

    /** Number of mergeable (ordinary) tokens; the first special token's id. */
    public int nRanks() { return ranks.size(); }

    /** Ordinary plus special tokens. */
    public int nVocab() { return tokenBytes.length; }

    /** The id of special token {@code text} (e.g. {@code <|endoftext|>}), or -1. */
    public int specialId(String text) {
        Integer id = specialIds.get(text);
        return id == null ? -1 : id;
    }

    /** The bytes token {@code id} stands for (a special token's UTF-8 text); a copy. */
    public byte[] tokenBytes(int id) {
        check(id);
        return tokenBytes[id].clone();
    }

    private void check(int id) {
        if (id < 0 || id >= tokenBytes.length)
            throw new IllegalArgumentException(name + ": token id " + id + " out of range [0, " + tokenBytes.length + ")");
    }

    /**
     * Encodes {@code text} with ordinary tokens only (tiktoken's {@code encode_ordinary}): text that looks like a
     * special token is encoded as plain text. A lone UTF-16 surrogate is encoded as U+FFFD, as tiktoken does.
     */
    public int[] encodeOrdinary(String text) {
        text = replaceLoneSurrogates(text);
        IntList out = new IntList(Math.max(16, text.length() / 3));
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            String piece = m.group();
            int[] ids = pieceCache.get(piece);
            if (ids == null) {
                ids = encodePiece(piece.getBytes(StandardCharsets.UTF_8));
                if (pieceCache.size() >= CACHE_LIMIT) pieceCache.clear();
                pieceCache.put(piece, ids);
            }
            out.addAll(ids);
        }
        return out.toArray();
    }

    /** Replaces every unpaired surrogate by U+FFFD (what tiktoken's surrogatepass/replace round trip yields). */
    static String replaceLoneSurrogates(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    if (b != null) b.append(c).append(s.charAt(i + 1));
                    i++;
                    continue;
                }
                lone = true;
            } else {
                lone = Character.isLowSurrogate(c);
            }
            if (lone && b == null) b = new StringBuilder(s.length()).append(s, 0, i);
            if (b != null) b.append(lone ? '\uFFFD' : c);
        }
        return b == null ? s : b.toString();
    }

    /** Pieces longer than this many bytes merge with a heap instead of rescanning all pairs per merge. */
    static final int HEAP_MERGE_FROM = 192;

    /** BPE of one pre-tokenised piece's bytes (tiktoken's byte_pair_merge). */
    int[] encodePiece(byte[] piece) {
        if (piece.length == 0) return new int[0];
        int whole = ranks.get(piece, 0, piece.length);
        if (whole >= 0) return new int[] {whole};
        return piece.length < HEAP_MERGE_FROM ? mergeByScan(piece) : mergeByHeap(piece);
    }

    /**
     * The reference merge, O(n²): repeatedly scan all adjacent pairs of current tokens for the lowest rank of their
     * concatenation (leftmost on ties) and merge it, until no pair has a rank.
     */
    int[] mergeByScan(byte[] piece) {
        int n = piece.length;
        // parts: start offsets of the current tokens, plus n; pairRank[i] = rank of bytes[start[i], start[i+2])
        int[] start = new int[n + 1];
        for (int i = 0; i <= n; i++) start[i] = i;
        int[] pairRank = new int[n];
        int parts = n; // number of tokens; start[parts] == n
        for (int i = 0; i + 1 < parts; i++) pairRank[i] = ranks.get(piece, start[i], start[i + 2] - start[i]);
        pairRank[parts - 1] = -1;
        while (parts > 1) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < parts; i++) {
                int r = pairRank[i];
                if (r >= 0 && r < bestRank) { bestRank = r; best = i; }
            }
            if (best < 0) break;
            // merge tokens best and best+1: drop boundary start[best+1]
            System.arraycopy(start, best + 2, start, best + 1, parts - best - 1);
            System.arraycopy(pairRank, best + 2, pairRank, best + 1, Math.max(0, parts - best - 2));
            parts--;
            pairRank[parts - 1] = -1; // parts >= 1 here
            if (best + 1 < parts) pairRank[best] = ranks.get(piece, start[best], start[best + 2] - start[best]);
            else pairRank[best] = -1;
            if (best > 0) pairRank[best - 1] = ranks.get(piece, start[best - 1], start[best + 1] - start[best - 1]);
        }
        int[] ids = new int[parts];
        for (int i = 0; i < parts; i++) {
            ids[i] = ranks.get(piece, start[i], start[i + 1] - start[i]);
            if (ids[i] < 0) throw new IllegalStateException(name + ": BPE produced a byte string without a rank");
        }
        return ids;
    }

    /**
     * The same merges as {@link #mergeByScan} in O(n log n): current tokens form a linked list over their start
     * offsets; a heap holds (rank, start) of candidate pairs, the least rank and then the leftmost start first, so
     * pops come in the scan's order. Entries made stale by a neighbouring merge are recognised on pop (the pair at
     * that start no longer has that rank) and dropped.
     */
    int[] mergeByHeap(byte[] piece) {
        int n = piece.length;
        int[] next = new int[n]; // start of the following token, n for the last
        int[] prev = new int[n]; // start of the preceding token, -1 for the first
        boolean[] alive = new boolean[n];
        for (int i = 0; i < n; i++) { next[i] = i + 1; prev[i] = i - 1; alive[i] = true; }
        java.util.PriorityQueue<Long> heap = new java.util.PriorityQueue<>(n);
        for (int i = 0; i + 1 < n; i++) {
            int r = ranks.get(piece, i, 2);
            if (r >= 0) heap.add(((long) r << 32) | i);
        }
        int parts = n;
        while (!heap.isEmpty()) {
            long key = heap.poll();
            int pos = (int) key, r = (int) (key >>> 32);
            if (!alive[pos] || next[pos] >= n) continue;
            int q = next[pos];
            if (ranks.get(piece, pos, next[q] - pos) != r) continue; // stale
            // merge the tokens starting at pos and q
            next[pos] = next[q];
            if (next[q] < n) prev[next[q]] = pos;
            alive[q] = false;
            parts--;
            if (prev[pos] >= 0) {
                int p = prev[pos];
                int rp = ranks.get(piece, p, next[pos] - p);
                if (rp >= 0) heap.add(((long) rp << 32) | p);
            }
            if (next[pos] < n) {
                int rn = ranks.get(piece, pos, next[next[pos]] - pos);
                if (rn >= 0) heap.add(((long) rn << 32) | pos);
            }
        }
        int[] ids = new int[parts];
        int k = 0;
        for (int i = 0; i < n; i = next[i]) {
            ids[k] = ranks.get(piece, i, next[i] - i);
            if (ids[k++] < 0) throw new IllegalStateException(name + ": BPE produced a byte string without a rank");
        }
        return ids;
    }

    /** The concatenated bytes of {@code ids} (specials as their text). */
    public byte[] decodeBytes(int[] ids) {
        int len = 0;
        for (int id : ids) { check(id); len += tokenBytes[id].length; }
        byte[] out = new byte[len];
        int p = 0;
        for (int id : ids) {
            byte[] t = tokenBytes[id];
            System.arraycopy(t, 0, out, p, t.length);
            p += t.length;
        }
        return out;
    }

    /** {@link #decodeBytes} as UTF-8, invalid sequences replaced by U+FFFD (Python's {@code errors="replace"}). */
    public String decode(int[] ids) {
        return Utf8.decode(decodeBytes(ids));
    }

    /** Growable int array. */
    private static final class IntList {
        int[] a;
        int n;

        IntList(int cap) { a = new int[cap]; }

        void addAll(int[] v) {
            if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
            System.arraycopy(v, 0, a, n, v.length);
            n += v.length;
        }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, Math.max(16, a.length * 2));
            a[n++] = v;
        }

        int[] toArray() { return Arrays.copyOf(a, n); }
    }
}
