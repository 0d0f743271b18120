package org.synesthesia.audio;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately explicit FLAC encoder for decoder tests: every coding choice (subframe type, predictor, Rice
 * method, partition order, escapes, wasted bits, stereo mode, header codes) is set by the test, so each decoder
 * path is exercised on known samples. Written from RFC 9639, independently of the decoder.
 */
final class FlacTestEncoder {
    enum Kind { CONSTANT, VERBATIM, FIXED, LPC }

    /** How to code one subframe. {@code escapes}: partitions sent as raw samples. */
    record Sub(Kind kind, int order, int lpcPrecision, int wasted, int method, int partitionOrder, boolean[] escapes) {
        static Sub constant() { return new Sub(Kind.CONSTANT, 0, 0, 0, 0, 0, null); }
        static Sub verbatim() { return new Sub(Kind.VERBATIM, 0, 0, 0, 0, 0, null); }
        static Sub fixed(int order, int method, int partitionOrder) { return new Sub(Kind.FIXED, order, 0, 0, method, partitionOrder, null); }
        static Sub lpc(int order, int precision, int method, int partitionOrder) { return new Sub(Kind.LPC, order, precision, 0, method, partitionOrder, null); }
        Sub wasted(int w) { return new Sub(kind, order, lpcPrecision, w, method, partitionOrder, escapes); }
        Sub escapes(boolean... e) { return new Sub(kind, order, lpcPrecision, wasted, method, partitionOrder, e); }
    }

    /**
     * One frame: {@code samples[c]} are the channel values (before decorrelation); {@code assignment} is the
     * channel code (0-7 independent = channels-1, 8 left/side, 9 side/right, 10 mid/side); {@code subs} one per
     * channel; {@code blockSizeCode} / {@code rateCode} / {@code sizeCode}: the header codes to use (-1: pick).
     */
    record Frame(long[][] samples, int assignment, Sub[] subs, int blockSizeCode, int rateCode, int sizeCode) {
        Frame(long[][] samples, int assignment, Sub... subs) { this(samples, assignment, subs, -1, -1, 0); }
        Frame codes(int bs, int rate, int size) { return new Frame(samples, assignment, subs, bs, rate, size); }
        int blockSize() { return samples[0].length; }
    }

    final int sampleRate, channels, bps;
    boolean variableBlocking;
    boolean id3Prefix;
    /** Store total samples 0 and an all-zero MD5 (streamed encoders), and append an ID3v1 tag. */
    boolean unknownLength;
    private final List<Frame> frames = new ArrayList<>();

    FlacTestEncoder(int sampleRate, int channels, int bps) {
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.bps = bps;
    }

    FlacTestEncoder add(Frame f) {
        frames.add(f);
        return this;
    }

    byte[] encode() {
        Bits out = new Bits();
        if (id3Prefix) {
            byte[] tag = {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 20};
            for (byte b : tag) out.bits(b & 0xFF, 8);
            for (int i = 0; i < 20; i++) out.bits(0, 8);
        }
        for (char c : "fLaC".toCharArray()) out.bits(c, 8);
        int minBs = Integer.MAX_VALUE, maxBs = 0;
        long total = 0;
        MessageDigest md5 = md5();
        for (int fi = 0; fi < frames.size(); fi++) {
            Frame f = frames.get(fi);
            if (fi < frames.size() - 1) minBs = Math.min(minBs, f.blockSize());
            maxBs = Math.max(maxBs, f.blockSize());
            total += f.blockSize();
            for (int i = 0; i < f.blockSize(); i++)
                for (int c = 0; c < channels; c++)
                    for (int b = 0; b < (bps + 7) / 8; b++) md5.update((byte) (f.samples()[c][i] >> 8 * b));
        }
        if (minBs == Integer.MAX_VALUE) minBs = maxBs;
        // STREAMINFO
        out.bits(0, 1);
        out.bits(0, 7);
        out.bits(34, 24);
        out.bits(variableBlocking ? 16 : minBs, 16);
        out.bits(maxBs, 16);
        out.bits(0, 24);
        out.bits(0, 24);
        out.bits(sampleRate, 20);
        out.bits(channels - 1, 3);
        out.bits(bps - 1, 5);
        out.bits(unknownLength ? 0 : total, 36);
        for (byte b : md5.digest()) out.bits(unknownLength ? 0 : b & 0xFF, 8);
        // a PADDING block and an odd-sized APPLICATION block that the decoder must skip
        out.bits(0, 1);
        out.bits(1, 7);
        out.bits(5, 24);
        for (int i = 0; i < 5; i++) out.bits(0, 8);
        out.bits(1, 1);
        out.bits(2, 7);
        out.bits(7, 24);
        for (int i = 0; i < 7; i++) out.bits("abcdefg".charAt(i), 8);
        long sampleNumber = 0;
        for (int fi = 0; fi < frames.size(); fi++) {
            Frame f = frames.get(fi);
            frame(out, f, variableBlocking ? sampleNumber : fi);
            sampleNumber += f.blockSize();
        }
        if (unknownLength) {
            for (char c : "TAG".toCharArray()) out.bits(c, 8);
            for (int i = 0; i < 125; i++) out.bits(' ', 8);
        }
        return out.bytes();
    }

    private void frame(Bits out, Frame f, long number) {
        int start = out.byteSize();
        int n = f.blockSize();
        out.bits(0x3FFE, 14);
        out.bits(0, 1);
        out.bits(variableBlocking ? 1 : 0, 1);
        int bsCode = f.blockSizeCode() >= 0 ? f.blockSizeCode() : standardBlockSizeCode(n);
        out.bits(bsCode, 4);
        int rateCode = f.rateCode() >= 0 ? f.rateCode() : 0;
        out.bits(rateCode, 4);
        out.bits(f.assignment(), 4);
        out.bits(f.sizeCode(), 3);
        out.bits(0, 1);
        utf8(out, number);
        if (bsCode == 6) out.bits(n - 1, 8);
        if (bsCode == 7) out.bits(n - 1, 16);
        if (rateCode == 12) out.bits(sampleRate / 1000, 8);
        if (rateCode == 13) out.bits(sampleRate, 16);
        if (rateCode == 14) out.bits(sampleRate / 10, 16);
        out.bits(crc8(out.bytes(), start, out.byteSize()), 8);
        long[][] coded = decorrelate(f);
        for (int c = 0; c < coded.length; c++) {
            boolean side = (f.assignment() == 8 || f.assignment() == 10) && c == 1 || f.assignment() == 9 && c == 0;
            subframe(out, coded[c], bps + (side ? 1 : 0), f.subs()[c]);
        }
        out.alignZero();
        out.bits(crc16(out.bytes(), start, out.byteSize()), 16);
    }

    static int standardBlockSizeCode(int n) {
        if (n == 192) return 1;
        for (int k = 2; k <= 5; k++) if (n == 576 << (k - 2)) return k;
        for (int k = 8; k <= 15; k++) if (n == 256 << (k - 8)) return k;
        return n <= 256 ? 6 : 7;
    }

    private static long[][] decorrelate(Frame f) {
        long[][] s = f.samples();
        int n = f.blockSize();
        if (f.assignment() < 8) return s;
        long[] a = new long[n], b = new long[n];
        for (int i = 0; i < n; i++) {
            long l = s[0][i], r = s[1][i];
            switch (f.assignment()) {
                case 8 -> { a[i] = l; b[i] = l - r; }
                case 9 -> { a[i] = l - r; b[i] = r; }
                default -> { a[i] = l + r >> 1; b[i] = l - r; }
            }
        }
        return new long[][] {a, b};
    }

    private static void subframe(Bits out, long[] s, int bps, Sub sub) {
        int n = s.length, w = sub.wasted();
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            if (w > 0 && (s[i] & ((1L << w) - 1)) != 0) throw new IllegalArgumentException("sample not divisible by 2^" + w);
            v[i] = s[i] >> w;
        }
        int b = bps - w;
        out.bits(0, 1);
        int type = switch (sub.kind()) {
            case CONSTANT -> 0;
            case VERBATIM -> 1;
            case FIXED -> 8 + sub.order();
            case LPC -> 31 + sub.order();
        };
        out.bits(type, 6);
        if (w > 0) {
            out.bits(1, 1);
            out.unary(w - 1);
        } else {
            out.bits(0, 1);
        }
        switch (sub.kind()) {
            case CONSTANT -> {
                for (long x : v) if (x != v[0]) throw new IllegalArgumentException("not constant");
                out.signed(v[0], b);
            }
            case VERBATIM -> { for (long x : v) out.signed(x, b); }
            case FIXED -> {
                int o = sub.order();
                for (int i = 0; i < o; i++) out.signed(v[i], b);
                long[] e = new long[n];
                for (int i = o; i < n; i++) e[i] = v[i] - fixedPrediction(v, i, o);
                residual(out, e, o, sub);
            }
            case LPC -> {
                int o = sub.order(), prec = sub.lpcPrecision();
                for (int i = 0; i < o; i++) out.signed(v[i], b);
                double[] a = levinson(v, o);
                double maxAbs = 0;
                for (double x : a) maxAbs = Math.max(maxAbs, Math.abs(x));
                // shift so the largest coefficient uses the precision: |c| < 2^(prec-1)
                int shift = Math.max(0, Math.min(15, prec - 2 - (int) Math.ceil(Math.log(Math.max(maxAbs, 1e-9)) / Math.log(2))));
                long[] q = new long[o];
                long lim = (1L << (prec - 1)) - 1;
                for (int j = 0; j < o; j++) q[j] = Math.max(-lim - 1, Math.min(lim, Math.round(a[j] * (1L << shift))));
                out.bits(prec - 1, 4);
                out.signed(shift, 5);
                for (long c : q) out.signed(c, prec);
                long[] e = new long[n];
                for (int i = o; i < n; i++) {
                    long sum = 0;
                    for (int j = 0; j < o; j++) sum += q[j] * v[i - 1 - j];
                    e[i] = v[i] - (sum >> shift);
                }
                residual(out, e, o, sub);
            }
        }
    }

    static long fixedPrediction(long[] v, int i, int order) {
        return switch (order) {
            case 0 -> 0;
            case 1 -> v[i - 1];
            case 2 -> 2 * v[i - 1] - v[i - 2];
            case 3 -> 3 * v[i - 1] - 3 * v[i - 2] + v[i - 3];
            default -> 4 * v[i - 1] - 6 * v[i - 2] + 4 * v[i - 3] - v[i - 4];
        };
    }

    /** Predictor a[0..o) with v[i] ~ sum_j a[j] v[i-1-j], from the autocorrelation by Levinson-Durbin. */
    static double[] levinson(long[] v, int order) {
        int n = v.length;
        double[] r = new double[order + 1];
        for (int lag = 0; lag <= order; lag++)
            for (int i = lag; i < n; i++) r[lag] += (double) v[i] * v[i - lag];
        r[0] *= 1.0 + 1e-9;
        if (r[0] == 0) return new double[order];
        double[] a = new double[order];
        double err = r[0];
        for (int k = 0; k < order; k++) {
            double acc = r[k + 1];
            for (int j = 0; j < k; j++) acc -= a[j] * r[k - j];
            double refl = acc / err;
            double[] prev = a.clone();
            a[k] = refl;
            for (int j = 0; j < k; j++) a[j] = prev[j] - refl * prev[k - 1 - j];
            err *= 1 - refl * refl;
            if (err <= 0) break;
        }
        return a;
    }

    private static void residual(Bits out, long[] e, int order, Sub sub) {
        int n = e.length, po = sub.partitionOrder(), parts = 1 << po, per = n >> po;
        int paramBits = sub.method() == 0 ? 4 : 5, escape = (1 << paramBits) - 1;
        out.bits(sub.method(), 2);
        out.bits(po, 4);
        for (int p = 0; p < parts; p++) {
            int from = p == 0 ? order : p * per, to = (p + 1) * per;
            if (sub.escapes() != null && p < sub.escapes().length && sub.escapes()[p]) {
                int raw = 0;
                for (int i = from; i < to; i++) raw = Math.max(raw, signedBits(e[i]));
                if (raw > 31) throw new IllegalArgumentException("residual needs " + raw + " bits: cannot be escaped");
                out.bits(escape, paramBits);
                out.bits(raw, 5);
                for (int i = from; i < to; i++) out.signed(e[i], raw);
                continue;
            }
            double mean = 0;
            for (int i = from; i < to; i++) mean += Math.abs(e[i]);
            mean /= Math.max(1, to - from);
            int k = mean < 1 ? 0 : (int) Math.floor(Math.log(mean) / Math.log(2));
            k = Math.min(k, escape - 1);
            out.bits(k, paramBits);
            for (int i = from; i < to; i++) {
                long u = e[i] << 1 ^ e[i] >> 63;
                out.unary((int) (u >>> k));
                out.bits(u & ((1L << k) - 1), k);
            }
        }
    }

    /** Bits needed for {@code x} in two's complement (0 for 0). */
    static int signedBits(long x) {
        if (x == 0) return 0;
        return 65 - Long.numberOfLeadingZeros(x < 0 ? ~x : x);
    }

    private static void utf8(Bits out, long v) {
        if (v < 0x80) {
            out.bits(v, 8);
            return;
        }
        int n = 2;
        while ((7 - n) + 6 * (n - 1) < 64 - Long.numberOfLeadingZeros(v)) n++;
        out.bits((0xFF << (8 - n)) & 0xFF | (int) (v >>> 6 * (n - 1)), 8);
        for (int i = n - 2; i >= 0; i--) out.bits(0x80 | (v >>> 6 * i) & 0x3F, 8);
    }

    static int crc8(byte[] b, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            c ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) c = (c & 0x80) != 0 ? (c << 1 ^ 0x07) & 0xFF : c << 1 & 0xFF;
        }
        return c;
    }

    static int crc16(byte[] b, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            c ^= (b[i] & 0xFF) << 8;
            for (int k = 0; k < 8; k++) c = (c & 0x8000) != 0 ? (c << 1 ^ 0x8005) & 0xFFFF : c << 1 & 0xFFFF;
        }
        return c;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** MSB-first bit writer. */
    static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int acc, n;

        void bits(long v, int count) {
            for (int i = count - 1; i >= 0; i--) {
                acc = acc << 1 | (int) (v >>> i & 1);
                if (++n == 8) {
                    out.write(acc);
                    acc = 0;
                    n = 0;
                }
            }
        }

        void signed(long v, int count) {
            if (count > 0 && count < 64 && (v < -(1L << (count - 1)) || v >= 1L << (count - 1))) throw new IllegalArgumentException(v + " does not fit " + count + " bits");
            bits(v, count);
        }

        void unary(int zeros) {
            for (int i = 0; i < zeros; i++) bits(0, 1);
            bits(1, 1);
        }

        void alignZero() {
            while (n != 0) bits(0, 1);
        }

        int byteSize() {
            if (n != 0) throw new IllegalStateException("not aligned");
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
