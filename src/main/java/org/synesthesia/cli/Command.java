package org.synesthesia.cli;

/**
 * One command of the command line ({@code synesthesia NAME ...}). Commands are found with
 * {@link java.util.ServiceLoader}: list the class in {@code META-INF/services/org.synesthesia.cli.Command}.
 */
public interface Command {
    /** The word that selects it, e.g. {@code inspect}. */
    String name();

    /** One line for {@code --help}. */
    String summary();

    /** Full usage text for {@code synesthesia NAME --help}. */
    String usage();

    /**
     * Runs the command; returns the exit status. Errors the user can act on are thrown as
     * {@link org.synesthesia.util.SynesthesiaException} and printed as one line.
     */
    int run(Args args) throws Exception;

    /** Usage for {@code synesthesia NAME ARGS --help}; commands with sub-modes show the mode's own usage. */
    default String usage(java.util.List<String> args) {
        return usage();
    }

    /** Options of this command that take no value (besides the global {@code --quiet} and {@code --help}). */
    default java.util.Set<String> flags() {
        return java.util.Set.of();
    }

    /** Other spellings of this command's options, as typed ({@code -p}, {@code --cfg-scale}), to their long names. */
    default java.util.Map<String, String> aliases() {
        return java.util.Map.of();
    }
}
