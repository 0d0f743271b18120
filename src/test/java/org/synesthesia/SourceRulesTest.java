package org.synesthesia;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules on the engine's source files: {@link DependencyRulesTest}'s floors checked on the {@code import} lines, which
 * also show uses of compile-time constants (javac inlines those, so the compiled classes do not), and a
 * {@code package-info.java} saying what each package holds.
 */
class SourceRulesTest {
    /** The engine's sources; the engine module's folder ({@code src/}) is the working directory. */
    private static final Path ROOT = Path.of("main/java/org/synesthesia");

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?org\\.synesthesia\\.(\\w+)\\.", Pattern.MULTILINE);

    @Test
    void sourceImportsFollowTheFloors() throws IOException {
        Path root = root();
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String user = root.relativize(f).getName(0).toString();
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find())
                    if (!DependencyRulesTest.mayUse(user, m.group(1))) wrong.add(root.relativize(f) + " imports org.synesthesia." + m.group(1));
            }
        }
        if (!wrong.isEmpty()) throw new AssertionError("imports against " + DependencyRulesTest.class.getSimpleName() + ".FLOORS:\n  " + String.join("\n  ", wrong));
    }

    @Test
    void everyPackageHasAPackageInfo() throws IOException {
        Path root = root();
        List<String> missing = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(root)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                boolean hasJava;
                try (Stream<Path> files = Files.list(d)) {
                    hasJava = files.anyMatch(f -> f.toString().endsWith(".java"));
                }
                if (hasJava && !Files.isRegularFile(d.resolve("package-info.java"))) missing.add(root.relativize(d).toString());
            }
        }
        if (!missing.isEmpty()) throw new AssertionError("packages without package-info.java: " + missing);
    }

    private static Path root() {
        if (!Files.isDirectory(ROOT)) throw new AssertionError("engine sources not found at " + ROOT.toAbsolutePath());
        return ROOT;
    }
}
