package org.synesthesia.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The mutants of one format, a pure function of (run seed, case number): case {@code i} takes kind {@code i % 6}
 * from {structural cut, field patch, byte flips, format-specific, random cut, format-specific}; cuts and field
 * patches enumerate every (seed, offset) and (seed, field, value) in turn, flips and random cuts draw from
 * {@code Random(runSeed, i)}.
 */
final class Mutator {
    /** A format's own mutations (crafted pickles, JSON edits, NaN payloads); null to fall back to byte flips. */
    interface Special {
        Mutant make(Seed seed, Random rnd, int k);
    }

    private final List<Seed> seeds;
    private final Special special;
    private final long runSeed;

    Mutator(List<Seed> seeds, Special special, long runSeed) {
        if (seeds.isEmpty()) throw new IllegalArgumentException("no seeds");
        this.seeds = seeds;
        this.special = special;
        this.runSeed = runSeed;
    }

    Mutant mutant(int i) {
        Random rnd = new Random(runSeed * 0x9E3779B97F4A7C15L + i);
        int k = i / 6;
        return switch (i % 6) {
            case 0 -> structuralCut(k);
            case 1 -> fieldPatch(k, rnd);
            case 2 -> flips(rnd);
            case 4 -> randomCut(rnd);
            default -> {
                Seed s = seeds.get(rnd.nextInt(seeds.size()));
                Mutant m = special == null ? null : special.make(s, rnd, k);
                yield m != null ? m : flips(rnd);
            }
        };
    }

    private Mutant structuralCut(int k) {
        int total = 0;
        for (Seed s : seeds) total += s.cuts().size();
        int j = k % total;
        for (Seed s : seeds) {
            if (j < s.cuts().size()) {
                int at = s.cuts().get(j);
                return new Mutant(s, "truncated at structural offset " + at + " of " + s.bytes().length, Arrays.copyOf(s.bytes(), at));
            }
            j -= s.cuts().size();
        }
        throw new AssertionError();
    }

    private Mutant randomCut(Random rnd) {
        Seed s = seeds.get(rnd.nextInt(seeds.size()));
        int at = rnd.nextInt(Math.max(1, s.bytes().length));
        return new Mutant(s, "truncated at offset " + at + " of " + s.bytes().length, Arrays.copyOf(s.bytes(), at));
    }

    static Mutant flips(Seed s, Random rnd) {
        byte[] b = s.bytes().clone();
        int n = 1 + rnd.nextInt(4);
        StringBuilder d = new StringBuilder("flipped");
        for (int f = 0; f < n && b.length > 0; f++) {
            // half the flips in the first 512 bytes, where headers live
            int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(512, b.length)) : rnd.nextInt(b.length);
            int mask = rnd.nextBoolean() ? 1 << rnd.nextInt(8) : 1 + rnd.nextInt(255);
            b[at] ^= (byte) mask;
            d.append(String.format(" byte %d ^= 0x%02x", at, mask));
        }
        return new Mutant(s, d.toString(), b);
    }

    private Mutant flips(Random rnd) {
        return flips(seeds.get(rnd.nextInt(seeds.size())), rnd);
    }

    private Mutant fieldPatch(int k, Random rnd) {
        int total = 0;
        for (Seed s : seeds) total += s.fields().size();
        if (total == 0) return flips(rnd);
        int j = k % total, round = k / total;
        for (Seed s : seeds) {
            if (j < s.fields().size()) {
                Seed.Field f = s.fields().get(j);
                long orig = f.read(s.bytes());
                long[] values = interesting(f.width(), orig, s.bytes().length);
                long v = values[round % values.length];
                if (round >= values.length) v = rnd.nextLong(); // beyond the list: random values
                byte[] b = s.bytes().clone();
                f.write(b, v);
                return new Mutant(s, "field " + f.name() + " at " + f.offset() + " (" + f.width() + " bytes, was " + orig + ") set to " + v, b);
            }
            j -= s.fields().size();
        }
        throw new AssertionError();
    }

    /** Boundary values for a field of {@code width} bytes currently holding {@code orig} in a file of {@code len} bytes. */
    static long[] interesting(int width, long orig, int len) {
        return switch (width) {
            case 1 -> new long[] {0, 0xff, 0x7f, 0x80, orig + 1, orig - 1, orig ^ 0x10};
            case 2 -> new long[] {0, 0xffff, 0x7fff, 0x8000, 1, orig + 1, orig - 1, orig * 2};
            case 4 -> new long[] {0, 0xffffffffL, 0x7fffffffL, 0x80000000L, 1, orig + 1, orig - 1, orig * 2, 0x10000, len, len + 1L, orig << 16};
            default -> new long[] {0, -1, Long.MAX_VALUE, 1L << 62, 1L << 32, 0x7fffffffL, 1, orig + 1, orig - 1, orig * 2, len, len + 1L, Long.MIN_VALUE, 1L << 40};
        };
    }
}
