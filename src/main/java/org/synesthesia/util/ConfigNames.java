package org.synesthesia.util;

import java.util.Locale;

/** Enum constants spelled in configs as their lower-case names ({@code SCALED_LINEAR} is {@code "scaled_linear"}). */
public final class ConfigNames {
    private ConfigNames() {}

    /** The config spelling of {@code e}. */
    public static String of(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The constant of {@code type} spelled {@code name} in a config, or null when none is. */
    public static <E extends Enum<E>> E parse(Class<E> type, String name) {
        for (E e : type.getEnumConstants()) if (of(e).equals(name)) return e;
        return null;
    }
}
