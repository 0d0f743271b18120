package org.synesthesia.kernel;

/**
 * Whether the Vector API can be used: the {@code jdk.incubator.vector} module is in the boot layer and
 * {@code -Dsynesthesia.scalar=true} is not set. Vector kernels live in classes that are only loaded when this
 * is true, so the engine runs (on its scalar kernels) without the module.
 */
public final class Simd {
    private static final boolean AVAILABLE = detect();
    private static volatile boolean announced;

    private Simd() {}

    private static boolean detect() {
        if (Boolean.getBoolean("synesthesia.scalar")) return false;
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    public static boolean available() {
        if (!AVAILABLE && !announced) {
            announced = true;
            if (!Boolean.getBoolean("synesthesia.scalar"))
                System.err.println("synesthesia: the Vector API (jdk.incubator.vector) is not available; running on scalar kernels (slow). Start with --add-modules jdk.incubator.vector, or run the JAR with java -jar.");
        }
        return AVAILABLE;
    }

    /** A one-line description: preferred vector width, or "scalar". */
    public static String describe() {
        if (!AVAILABLE) return "scalar kernels (Vector API not available)";
        return VectorInfo.describe();
    }
}
