package org.synesthesia;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The engine's dependency rules, checked on its compiled classes. Floors, lowest first: util < tensor < kernel <
 * io < nn < {audio, image, text} < model families {whisper, clip, clap, diffusion (with diffusion.unet, .vae,
 * .scheduler)} < pipeline < cli (with cli.bench). A package may use its own floor's package and any lower floor,
 * never a higher one nor another package of its floor; the one exception is {@link #ALLOWED_ACROSS}. Every
 * package belongs to a floor, and packages form no cycles. {@link SourceRulesTest} checks the source files' imports
 * against the same floors, as the compiled classes do not show uses of inlined constants.
 */
@AnalyzeClasses(packages = "org.synesthesia", importOptions = ImportOption.DoNotIncludeTests.class)
class DependencyRulesTest {
    /** Each floor's packages (each with its sub-packages), lowest floor first. */
    static final List<List<String>> FLOORS = List.of(
            List.of("util"),
            List.of("tensor"),
            List.of("kernel"),
            List.of("io"),
            List.of("nn"),
            List.of("audio", "image", "text"),
            List.of("whisper", "clip", "clap", "diffusion", "vocoder", "translator", "vad"),
            List.of("audioldm"),
            List.of("pipeline"),
            List.of("cli"));

    /** Uses across one floor, user to used, each with its reason. */
    static final Map<String, String> ALLOWED_ACROSS = Map.of(
            "diffusion -> clip", "Stable Diffusion's text encoder is CLIP's text model");

    @ArchTest
    static final ArchRule noUpwardOrSidewaysUses = floors();

    @ArchTest
    static final ArchRule everyPackageHasAFloor = classes().should().resideInAnyPackage(allPackages())
            .because("a new package gets a floor in " + DependencyRulesTest.class.getSimpleName() + ".FLOORS");

    @ArchTest
    static final ArchRule noCycles = slices().matching("org.synesthesia.(**)").should().beFreeOfCycles();

    /** Whether package {@code user} may use package {@code used} (top-level names under org.synesthesia). */
    static boolean mayUse(String user, String used) {
        int u = floorOf(user), d = floorOf(used);
        return user.equals(used) || d < u || ALLOWED_ACROSS.containsKey(user + " -> " + used);
    }

    private static int floorOf(String pkg) {
        for (int f = 0; f < FLOORS.size(); f++) if (FLOORS.get(f).contains(pkg)) return f;
        throw new AssertionError("package org.synesthesia." + pkg + " has no floor in " + DependencyRulesTest.class.getSimpleName() + ".FLOORS");
    }

    private static String pattern(String pkg) {
        return "org.synesthesia." + pkg + "..";
    }

    private static String[] allPackages() {
        return FLOORS.stream().flatMap(List::stream).map(DependencyRulesTest::pattern).toArray(String[]::new);
    }

    private static LayeredArchitecture floors() {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> floor : FLOORS)
            for (String pkg : floor) rule = rule.layer(pkg).definedBy(pattern(pkg));
        for (int f = 0; f < FLOORS.size(); f++) {
            for (String used : FLOORS.get(f)) {
                List<String> users = new ArrayList<>();
                for (int g = f + 1; g < FLOORS.size(); g++) users.addAll(FLOORS.get(g));
                for (String user : FLOORS.get(f))
                    if (ALLOWED_ACROSS.containsKey(user + " -> " + used)) users.add(user);
                rule = users.isEmpty() ? rule.whereLayer(used).mayNotBeAccessedByAnyLayer()
                        : rule.whereLayer(used).mayOnlyBeAccessedByLayers(users.toArray(String[]::new));
            }
        }
        return rule;
    }
}
