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
 * {@link DependencyRulesTest}'s floors checked on the engine's source {@code import} lines, which also show uses of
 * compile-time constants (javac inlines those, so the compiled classes do not).
 */
class SourceImportsTest {
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?org\\.synesthesia\\.(\\w+)\\.", Pattern.MULTILINE);

    @Test
    void sourceImportsFollowTheFloors() throws IOException {
        Path root = Path.of("main/java/org/synesthesia"); // the engine module's folder is the working directory
        if (!Files.isDirectory(root)) throw new AssertionError("engine sources not found at " + root.toAbsolutePath());
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
}
