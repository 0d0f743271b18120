package org.synesthesia.audio;

import org.synesthesia.util.SynesthesiaException;

/**
 * What a header may claim before anything is allocated or resampled: sample rates in
 * [{@value #MIN_RATE}, {@value #MAX_RATE}] Hz (telephone-band 8 kHz to 768 kHz studio rates, with margin below) and
 * at most {@value #MAX_CHANNELS} channels. A rate outside the range is a damaged header (a flipped byte of
 * 16000 gives 436223616) and would make the resampler's filter or output absurdly large.
 */
final class AudioLimits {
    static final int MIN_RATE = 1000, MAX_RATE = 768_000, MAX_CHANNELS = 256;

    private AudioLimits() {}

    /** One line {@code FILE: corrupt or unsupported: WHERE says sample rate R Hz (...)} unless R is in range. */
    static void checkRate(Object file, String where, long rate) {
        if (rate < MIN_RATE || rate > MAX_RATE)
            throw SynesthesiaException.inFile(file, "corrupt or unsupported: " + where + " says sample rate " + rate + " Hz (" + MIN_RATE
                    + ".." + MAX_RATE + " Hz supported)");
    }

    /** One line {@code FILE: corrupt or unsupported: WHERE says N channels (...)} unless 1 <= N <= {@value #MAX_CHANNELS}. */
    static void checkChannels(Object file, String where, long channels) {
        if (channels < 1 || channels > MAX_CHANNELS)
            throw SynesthesiaException.inFile(file, "corrupt or unsupported: " + where + " says " + channels + " channels (1.." + MAX_CHANNELS + " supported)");
    }
}
