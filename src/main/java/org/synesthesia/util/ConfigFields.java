package org.synesthesia.util;

import java.util.Map;

/** Integer fields of parsed JSON configs (JSON integers arrive as {@link Long}), checked where they are read. */
public final class ConfigFields {
    private ConfigFields() {}

    /** {@code m[key]} as a positive int, {@code dflt} when absent; anything else is one line naming {@code source} and the key. */
    public static int positiveInt(Map<String, Object> m, String key, int dflt, String source) {
        return intField(m, key, dflt, source, false);
    }

    /** As {@link #positiveInt}, 0 allowed. */
    public static int nonNegativeInt(Map<String, Object> m, String key, int dflt, String source) {
        return intField(m, key, dflt, source, true);
    }

    private static int intField(Map<String, Object> m, String key, int dflt, String source, boolean zeroOk) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (v instanceof Long l && (l > 0 || zeroOk && l == 0) && l <= Integer.MAX_VALUE) return l.intValue();
        throw new SynesthesiaException(source + ": " + key + " is " + Json.write(v) + ", expected a " + (zeroOk ? "non-negative" : "positive") + " integer");
    }
}
