package org.synesthesia.pipeline;

import java.nio.file.Path;
import java.util.Locale;

/** Names of the files written beside an output PNG. */
public final class PngFiles {
    private PngFiles() {}

    /** Whether {@code file}'s name ends in {@code .png} (any case). */
    public static boolean isPng(Path file) {
        return file.getFileName() != null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
    }

    /** {@code dir/image.png} -> {@code dir/image<suffix>}. */
    public static Path sibling(Path png, String suffix) {
        String name = png.getFileName().toString();
        String stem = name.substring(0, name.length() - ".png".length());
        return png.resolveSibling(stem + suffix);
    }
}
