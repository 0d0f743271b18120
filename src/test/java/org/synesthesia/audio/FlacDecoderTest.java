package org.synesthesia.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.synesthesia.audio.FlacDecoder.Feature;
import org.synesthesia.audio.FlacTestEncoder.Frame;
import org.synesthesia.audio.FlacTestEncoder.Sub;
import org.synesthesia.io.MappedFile;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class FlacDecoderTest {
    @TempDir Path tmp;

    /** A smooth signal (two sines and a little noise) using most of a {@code bps}-bit range. */
    static long[] signal(int n, int bps, long seed, double f1, double f2) {
        Random r = new Random(seed);
        double amp = Math.scalb(1.0, bps - 1) * 0.45;
        long max = (1L << (bps - 1)) - 1, min = -(1L << (bps - 1));
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            double v = amp * (Math.sin(2 * Math.PI * f1 * i) + 0.8 * Math.sin(2 * Math.PI * f2 * i + 1)) + amp * 0.02 * r.nextGaussian();
            s[i] = Math.max(min, Math.min(max, Math.round(v)));
        }
        return s;
    }

    static long[][] stereo(int n, int bps, long seed) {
        long[] l = signal(n, bps, seed, 0.01, 0.037);
        long[] r = signal(n, bps, seed + 1, 0.01, 0.05);
        return new long[][] {l, r};
    }

    /** Decodes to integers per channel. */
    static long[][] decodeInts(byte[] flac, FlacDecoder.Options opt, long[] featureCounts) {
        FlacDecoder d = FlacDecoder.open(MemorySegment.ofArray(flac), "test.flac", opt);
        int ch = d.streamInfo().channels();
        List<long[]>[] parts = new List[ch];
        for (int c = 0; c < ch; c++) parts[c] = new ArrayList<>();
        d.decode((chans, n) -> {
            for (int c = 0; c < ch; c++) parts[c].add(Arrays.copyOf(chans[c], n));
        });
        if (featureCounts != null) System.arraycopy(d.featureCounts, 0, featureCounts, 0, featureCounts.length);
        long[][] out = new long[ch][];
        for (int c = 0; c < ch; c++) out[c] = parts[c].stream().flatMapToLong(Arrays::stream).toArray();
        return out;
    }

    static long[][] concat(List<Frame> frames, int ch) {
        long[][] out = new long[ch][];
        for (int c = 0; c < ch; c++) {
            int cc = c;
            out[c] = frames.stream().flatMapToLong(f -> Arrays.stream(f.samples()[cc])).toArray();
        }
        return out;
    }

    static int sizeCode(int bps) {
        return switch (bps) { case 8 -> 1; case 12 -> 2; case 16 -> 4; case 20 -> 5; case 24 -> 6; case 32 -> 7; default -> 0; };
    }

    @ParameterizedTest(name = "{0}-bit")
    @ValueSource(ints = {8, 12, 16, 20, 24, 32})
    void everyCodingPathDecodesExactly(int bps) {
        int m = bps > 16 ? 1 : 0; // Rice parameter width: 5 bits where residuals can be large
        long[][] quiet = {new long[192], new long[192]};
        Arrays.fill(quiet[0], 3);
        Arrays.fill(quiet[1], -(1L << (bps - 2)));
        long[][] coarse = stereo(576, bps, 5);
        for (long[] c : coarse) for (int i = 0; i < c.length; i++) c[i] = c[i] >> 3 << 3; // 3 wasted bits
        List<Frame> frames = List.of(
                new Frame(stereo(4096, bps, 1), 1, Sub.fixed(2, 0, 2), Sub.lpc(8, 12, m, 3)),
                new Frame(stereo(4096, bps, 2), 8, Sub.fixed(1, m, 4), Sub.fixed(3, 1, 0)).codes(-1, 13, sizeCode(bps)),
                new Frame(stereo(1152, bps, 3), 9, Sub.lpc(32, 15, m, 0), Sub.fixed(4, 1, 7)).codes(-1, 14, 0),
                new Frame(stereo(1000, bps, 4), 10, Sub.lpc(1, 4, 0, 3), Sub.verbatim()).codes(7, 12, sizeCode(bps)),
                new Frame(quiet, 1, Sub.constant(), Sub.constant()),
                new Frame(coarse, 8, Sub.lpc(12, 13, m, 2).wasted(3), Sub.fixed(2, m, 1).wasted(3).escapes(false, true)),
                new Frame(stereo(100, bps, 6), 1, Sub.verbatim().wasted(0), Sub.fixed(1, m, 2).escapes(true, false, true, true)).codes(6, 0, 0),
                new Frame(stereo(37, bps, 7), 8, Sub.fixed(4, 0, 0).escapes(true), Sub.lpc(3, 7, 1, 0)).codes(6, 0, 0));
        FlacTestEncoder enc = new FlacTestEncoder(44000, 2, bps); // 44 kHz: codable by rate codes 12, 13 and 14
        frames.forEach(enc::add);
        byte[] flac = enc.encode();
        long[] counts = new long[Feature.values().length];
        long[][] got = decodeInts(flac, FlacDecoder.Options.DEFAULT, counts);
        long[][] want = concat(frames, 2);
        assertArrayEquals(want[0], got[0], "left");
        assertArrayEquals(want[1], got[1], "right");
        for (Feature f : new Feature[] {Feature.CONSTANT, Feature.VERBATIM, Feature.FIXED, Feature.LPC, Feature.RICE4, Feature.RICE5, Feature.ESCAPE,
                Feature.WASTED_BITS, Feature.INDEPENDENT, Feature.LEFT_SIDE, Feature.SIDE_RIGHT, Feature.MID_SIDE})
            assertTrue(counts[f.ordinal()] > 0, f + " not exercised");
        // and as mono float: the channel mean over 2^(bits-1)
        Audio a = FlacDecoder.read(MemorySegment.ofArray(flac), "test.flac", FlacDecoder.Options.DEFAULT);
        assertEquals(44000, a.sampleRate());
        assertEquals(want[0].length, a.length());
        double scale = Math.scalb(1.0, bps - 1);
        for (int i = 0; i < a.length(); i++) assertEquals((float) ((want[0][i] + want[1][i]) / 2.0 / scale), a.samples()[i], "sample " + i);
    }

    @Test
    void manyChannelsVariableBlockingAndId3Prefix() {
        int ch = 6;
        FlacTestEncoder enc = new FlacTestEncoder(16000, ch, 16);
        enc.variableBlocking = true;
        enc.id3Prefix = true;
        List<Frame> frames = new ArrayList<>();
        int[] sizes = {4608, 333, 4096, 17};
        for (int k = 0; k < sizes.length; k++) {
            long[][] s = new long[ch][];
            Sub[] subs = new Sub[ch];
            for (int c = 0; c < ch; c++) {
                s[c] = signal(sizes[k], 16, 10 * k + c, 0.003 * (c + 1), 0.02);
                subs[c] = c % 2 == 0 ? Sub.lpc(Math.min(10, sizes[k]), 14, 0, 0) : Sub.fixed(Math.min(2, sizes[k]), 0, 0);
            }
            frames.add(new Frame(s, ch - 1, subs));
        }
        frames.forEach(enc::add);
        byte[] flac = enc.encode();
        long[] counts = new long[Feature.values().length];
        long[][] got = decodeInts(flac, FlacDecoder.Options.DEFAULT, counts);
        long[][] want = concat(frames, ch);
        for (int c = 0; c < ch; c++) assertArrayEquals(want[c], got[c], "channel " + c);
        assertTrue(counts[Feature.VARIABLE_BLOCKING.ordinal()] > 0);
    }

    @Test
    void unknownLengthAndTrailingId3v1() {
        FlacTestEncoder enc = new FlacTestEncoder(8000, 1, 16);
        enc.unknownLength = true;
        long[] a = signal(4096, 16, 3, 0.02, 0.1), b = signal(1000, 16, 4, 0.02, 0.1);
        enc.add(new Frame(new long[][] {a}, 0, Sub.fixed(2, 0, 1))).add(new Frame(new long[][] {b}, 0, Sub.lpc(4, 10, 0, 0)));
        long[][] got = decodeInts(enc.encode(), FlacDecoder.Options.DEFAULT, null);
        long[] want = java.util.stream.LongStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
        assertArrayEquals(want, got[0]);
        assertEquals(5096, FlacDecoder.read(MemorySegment.ofArray(enc.encode()), "u.flac", FlacDecoder.Options.DEFAULT).length());
    }

    private byte[] small() {
        FlacTestEncoder enc = new FlacTestEncoder(16000, 1, 16);
        enc.add(new Frame(new long[][] {signal(4096, 16, 1, 0.01, 0.03)}, 0, Sub.lpc(8, 12, 0, 2)));
        enc.add(new Frame(new long[][] {signal(2000, 16, 2, 0.01, 0.03)}, 0, Sub.fixed(2, 0, 3)));
        return enc.encode();
    }

    private String error(byte[] flac, FlacDecoder.Options opt) {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> FlacDecoder.read(MemorySegment.ofArray(flac), "x.flac", opt));
        assertTrue(e.getMessage().startsWith("x.flac: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage();
    }

    @Test
    void corruptionIsCaught() {
        byte[] good = small();
        int frame0 = 4 + 38 + 9 + 11; // fLaC, STREAMINFO, PADDING, APPLICATION
        assertEquals(0xFF, good[frame0] & 0xFF);
        // a residual bit flipped deep inside the first frame: CRC-16 (and, unchecked, the MD5)
        byte[] body = good.clone();
        body[frame0 + 200] ^= 0x10;
        String e = error(body, FlacDecoder.Options.DEFAULT);
        assertTrue(e.contains("frame 0") && (e.contains("CRC-16") || e.contains("corrupt")), e);
        String md5 = error(body, new FlacDecoder.Options(false, true));
        assertTrue(md5.contains("MD5") || md5.contains("corrupt"), md5);
        // the sample-rate code in the header: CRC-8
        byte[] header = good.clone();
        header[frame0 + 2] ^= 0x01;
        assertTrue(error(header, FlacDecoder.Options.DEFAULT).contains("header CRC-8 mismatch"));
        // a wrong STREAMINFO MD5
        byte[] sum = good.clone();
        sum[4 + 4 + 18] ^= 1;
        assertTrue(error(sum, FlacDecoder.Options.DEFAULT).contains("MD5"));
        FlacDecoder.read(MemorySegment.ofArray(sum), "x.flac", new FlacDecoder.Options(true, false)); // unchecked: fine
        // truncation: inside a frame, and between frames
        assertTrue(error(Arrays.copyOf(good, good.length - 10), FlacDecoder.Options.DEFAULT).contains("truncated"));
        assertTrue(error(Arrays.copyOf(good, frame0), FlacDecoder.Options.DEFAULT).contains("truncated: 0 of 6096 samples"));
        assertTrue(error(Arrays.copyOf(good, 20), FlacDecoder.Options.DEFAULT).contains("truncated"));
        // lost sync
        byte[] sync = good.clone();
        sync[frame0] = 0;
        assertTrue(error(sync, FlacDecoder.Options.NO_CHECKS).contains("no frame sync code"));
        // not FLAC at all; no STREAMINFO first
        assertTrue(error("fLaX....".getBytes(), FlacDecoder.Options.DEFAULT).contains("not a FLAC file"));
        byte[] noInfo = good.clone();
        noInfo[4] = 1;
        assertTrue(error(noInfo, FlacDecoder.Options.DEFAULT).contains("not STREAMINFO"));
    }

    /** Issue 13 item 2: STREAMINFO's rate and sample count are checked before anything is allocated or resampled. */
    @Test
    void implausibleStreamInfoIsOneLineWithoutAllocation() {
        FlacTestEncoder slow = new FlacTestEncoder(500, 1, 16);
        slow.add(new Frame(new long[][] {signal(1000, 16, 1, 0.01, 0.03)}, 0, Sub.fixed(2, 0, 0)));
        assertTrue(error(slow.encode(), FlacDecoder.Options.DEFAULT).contains("STREAMINFO says sample rate 500 Hz (1000..768000 Hz supported)"));
        // total samples 0x7FFFFF00 in STREAMINFO: 36 bits from the low nibble of byte 21 (fLaC 4 + header 4 + 13)
        byte[] claim = small();
        claim[21] &= (byte) 0xF0;
        claim[22] = 0x7F;
        claim[23] = (byte) 0xFF;
        claim[24] = (byte) 0xFF;
        claim[25] = 0x00;
        String e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            String m = error(claim, FlacDecoder.Options.DEFAULT);
            assertTrue(mx.getCurrentThreadAllocatedBytes() - before < 64L << 20, "allocated too much for: " + m);
            return m;
        });
        assertTrue(e.contains("STREAMINFO claims 2147483392 samples"), e);
    }

    /**
     * Found by the fuzzer (issue 13): STREAMINFO's total sample count sized the output up front, so a 39 KB file
     * claiming 2^26 samples allocated 256 MB (and up to 8 GB under the 2^31 limit) before a frame was read. The
     * claim is a hint now, bounded by what the file's bytes can hold; decoding grows the output as frames arrive.
     */
    @Test
    void claimedSampleCountDoesNotSizeTheOutput(@TempDir Path dir) throws IOException {
        byte[] b = Files.readAllBytes(SharedData.data("speech/librispeech/test-clean/1089/134691/1089-134691-0000.flac"));
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b); // STREAMINFO: 36-bit total samples in the low bits of bytes 18..25
        long field = bb.getLong(18);
        bb.putLong(18, (field & ~((1L << 36) - 1)) | (1L << 26));
        Path p = Files.write(dir.resolve("claims-67M-samples.flac"), b);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        try {
            AudioFiles.read(p);
        } catch (SynesthesiaException e) {
            assertTrue(e.getMessage().contains("claims-67M-samples.flac"), e.getMessage());
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 32L << 20, "allocated " + allocated + " bytes for a 39 KB file");
    }

    @Test
    void jfkFlacDecodesWithMatchingMd5AndMatchesJfkWav() {
        Path p = SharedData.data("speech/jfk/jfk.flac");
        long[] counts = new long[Feature.values().length];
        FlacDecoder.StreamInfo si;
        try (MappedFile f = MappedFile.open(p)) {
            FlacDecoder d = FlacDecoder.open(f.segment(), p, FlacDecoder.Options.DEFAULT);
            si = d.streamInfo();
            d.decode((c, n) -> { }); // throws on any CRC or MD5 mismatch
            System.arraycopy(d.featureCounts, 0, counts, 0, counts.length);
        }
        assertEquals(44100, si.sampleRate());
        assertEquals(2, si.channels());
        assertEquals(24, si.bitsPerSample());
        assertEquals(485100, si.totalSamples());
        System.out.println("jfk.flac coding features: " + features(counts));
        assertTrue(counts[Feature.LPC.ordinal()] > 0);

        Audio flac = AudioFiles.read(p);
        assertEquals(485100, flac.length());
        assertEquals(11.0, flac.seconds(), 1e-9);
        // jfk.wav is the same recording at 16 kHz mono int16 (converted by another tool): after our mono
        // mix-down and resampling the two agree to within that tool's resampler and the int16 rounding.
        float[] ours = Resampler.to16k(flac).samples();
        float[] wav = AudioFiles.read(SharedData.data("speech/jfk/jfk.wav")).samples();
        assertEquals(wav.length, ours.length);
        double num = 0, err = 0;
        for (int i = 0; i < wav.length; i++) {
            num += (double) wav[i] * wav[i];
            err += (ours[i] - wav[i]) * (double) (ours[i] - wav[i]);
        }
        double snr = 10 * Math.log10(num / err);
        System.out.printf("jfk.flac -> 16 kHz vs jfk.wav: SNR %.1f dB%n", snr);
        assertTrue(snr > 30, "SNR " + snr);
    }

    static String features(long[] counts) {
        StringBuilder b = new StringBuilder();
        for (Feature f : Feature.values()) if (counts[f.ordinal()] > 0) b.append(f).append('=').append(counts[f.ordinal()]).append(' ');
        return b.toString().trim();
    }

    @Test
    void librispeechFlacsDecode() throws IOException {
        Path dir = SharedData.data("speech/librispeech/test-clean/1089");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(f -> f.toString().endsWith(".flac")).sorted().toList();
        }
        assertEquals(4, files.size());
        double[] seconds = {10.435, 3.275, 2.085, 5.415};
        for (int i = 0; i < files.size(); i++) {
            Audio a = AudioFiles.read(files.get(i)); // CRC and MD5 checked
            assertEquals(16000, a.sampleRate());
            assertEquals(seconds[i], a.seconds(), 1e-9, files.get(i).toString());
            double sum = 0, peak = 0;
            for (float x : a.samples()) {
                sum += x * (double) x;
                peak = Math.max(peak, Math.abs(x));
            }
            double rms = Math.sqrt(sum / a.length());
            assertTrue(peak <= 1 && peak > 0.05 && rms > 0.005 && rms < 0.5, files.get(i) + ": peak " + peak + " rms " + rms);
        }
    }
}
