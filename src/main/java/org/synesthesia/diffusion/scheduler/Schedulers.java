package org.synesthesia.diffusion.scheduler;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/** Builds a {@link Scheduler} from a diffusers scheduler config, by its {@code _class_name} or by a name the user picks. */
public final class Schedulers {
    private Schedulers() {}

    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("ddim", "pndm", "euler", "euler-a", "dpm++");

    /**
     * A scheduler for the parsed config {@code config}: {@code nameOverride} ({@code ddim|pndm|euler|euler-a|dpm++},
     * case-insensitive) when given, else the config's {@code _class_name}. As with diffusers' {@code from_config},
     * keys the chosen class does not read are ignored and missing ones take that class's defaults.
     */
    public static Scheduler fromConfig(Map<String, Object> config, String nameOverride) {
        return fromConfig(config, nameOverride, "scheduler config");
    }

    /** As {@link #fromConfig(Map, String)}, naming {@code source} in errors. */
    public static Scheduler fromConfig(Map<String, Object> config, String nameOverride, String source) {
        String name = nameOverride;
        if (name == null || name.isBlank()) {
            Object cls = config.get("_class_name");
            if (!(cls instanceof String c)) throw SynesthesiaException.inFile(source, "no _class_name and no scheduler name given");
            name = forClassName(c);
            if (name == null) throw SynesthesiaException.inFile(source, "unsupported scheduler class " + c + " (supported: " + String.join(", ", NAMES) + ")");
        }
        return create(name, SchedulerConfig.fromMap(config, source));
    }

    /** Reads {@code scheduler_config.json} and builds its scheduler (or {@code nameOverride}). */
    public static Scheduler fromFile(Path file, String nameOverride) {
        return fromConfig(ReadFile.configObject(file, "not a scheduler config"), nameOverride, file.toString());
    }

    /**
     * The entry of {@link #NAMES} that {@code name} spells (case-insensitive; also diffusers' and sd-cli's spellings:
     * {@code plms}, {@code euler_a}, {@code euler-ancestral}, {@code dpm++2m}, {@code dpmpp}, ...), or null.
     */
    public static String canonical(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "ddim" -> "ddim";
            case "pndm", "plms" -> "pndm";
            case "euler" -> "euler";
            case "euler-a", "euler_a", "euler-ancestral", "euler_ancestral" -> "euler-a";
            case "dpm++", "dpmpp", "dpm++2m", "dpmpp2m", "dpm++_2m", "dpm" -> "dpm++";
            default -> null;
        };
    }

    /** The scheduler called {@code name} over {@code config}. */
    public static Scheduler create(String name, SchedulerConfig config) {
        String c = canonical(name);
        return switch (c == null ? "" : c) {
            case "ddim" -> new DdimScheduler(config);
            case "pndm" -> new PndmScheduler(config);
            case "euler" -> new EulerDiscreteScheduler(config);
            case "euler-a" -> new EulerAncestralScheduler(config);
            case "dpm++" -> new DpmSolverMultistepScheduler(config);
            default -> throw new SynesthesiaException("unknown scheduler '" + name + "' (choose one of " + String.join(", ", NAMES) + ")");
        };
    }

    /** Our name for a diffusers scheduler class, or null. */
    public static String forClassName(String className) {
        return switch (className) {
            case "DDIMScheduler" -> "ddim";
            case "PNDMScheduler" -> "pndm";
            case "EulerDiscreteScheduler" -> "euler";
            case "EulerAncestralDiscreteScheduler" -> "euler-a";
            case "DPMSolverMultistepScheduler" -> "dpm++";
            default -> null;
        };
    }
}
