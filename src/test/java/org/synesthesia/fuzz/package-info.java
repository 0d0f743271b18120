/**
 * A deterministic mutation fuzzer over every reader (checkpoints, audio, images, configs, tokenizer files): seeded
 * mutants of small valid files, each read in a forked JVM with a per-case time limit and allocation cap, the
 * outcome counted as accepted, refused in one line, or a failure (stack trace, hang, allocation beyond the cap).
 * {@link org.synesthesia.fuzz.FuzzTest} runs it; {@link org.synesthesia.fuzz.KnownIssues} lists failures other
 * fixes own, tolerated until they land.
 */
package org.synesthesia.fuzz;
